"""Informativa cuatrimestral: informativas, contratos (with their contratante's data), trabajadores,
the contractor's remembered contratantes, carga masiva jobs; the bitácora also records informativas.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 12:37:33
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contratante',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('nombre', sa.String(length=250), nullable=False),
    sa.Column('correo', sa.String(length=254), nullable=False),
    sa.Column('telefono', sa.String(length=10), nullable=False),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('fk_contratante_contratista_id_contratista'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contratante')),
    sa.UniqueConstraint('contratista_id', 'rfc', name='uq_contratante_contratista_rfc')
    )
    op.create_table('informativa',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('periodo', sa.Integer(), nullable=False),
    sa.Column('numero', sa.Integer(), server_default='0', nullable=False),
    sa.Column('tipo', sa.String(length=20), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('contratos_creados', sa.Integer(), server_default='0', nullable=False),
    sa.Column('comentario_devolucion', sa.Text(), nullable=True),
    sa.Column('creado_por', sa.String(length=120), nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enviada_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('devuelta_en', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('periodo BETWEEN 1 AND 3', name=op.f('ck_informativa_periodo_valido')),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('fk_informativa_contratista_id_contratista'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_informativa')),
    sa.UniqueConstraint('contratista_id', 'anio', 'periodo', 'numero', name='uq_informativa_contratista_periodo_numero')
    )
    op.create_table('contrato',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('numero', sa.Integer(), nullable=False),
    sa.Column('rfc_contratante', sa.String(length=13), nullable=False),
    sa.Column('nombre_contratante', sa.String(length=250), nullable=False),
    sa.Column('correo_contratante', sa.String(length=254), nullable=False),
    sa.Column('telefono_contratante', sa.String(length=10), nullable=False),
    sa.Column('objeto', sa.Text(), nullable=False),
    sa.Column('servicio', sa.Text(), nullable=False),
    sa.Column('fecha_inicio', sa.Date(), nullable=False),
    sa.Column('fecha_fin', sa.Date(), nullable=True),
    sa.Column('busqueda', sa.String(length=600), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actualizado_en', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'], name=op.f('fk_contrato_informativa_id_informativa'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contrato')),
    sa.UniqueConstraint('informativa_id', 'numero', name='uq_contrato_informativa_numero')
    )
    with op.batch_alter_table('contrato', schema=None) as batch_op:
        batch_op.create_index('ix_contrato_informativa_id', ['informativa_id', 'id'], unique=False)

    op.create_table('carga_trabajadores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contrato_id', sa.Integer(), nullable=False),
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('solicitante', sa.String(length=120), nullable=False),
    sa.Column('nombre_archivo', sa.String(length=255), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('procesadas', sa.Integer(), nullable=False),
    sa.Column('aceptadas', sa.Integer(), nullable=False),
    sa.Column('rechazadas', sa.Integer(), nullable=False),
    sa.Column('ruta_rechazos', sa.String(length=500), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('terminado_en', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contrato_id'], ['contrato.id'], name=op.f('fk_carga_trabajadores_contrato_id_contrato'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'], name=op.f('fk_carga_trabajadores_informativa_id_informativa'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carga_trabajadores'))
    )
    with op.batch_alter_table('carga_trabajadores', schema=None) as batch_op:
        batch_op.create_index('ix_carga_trabajadores_contrato_creado', ['contrato_id', 'creado_en'], unique=False)

    op.create_table('trabajador',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contrato_id', sa.Integer(), nullable=False),
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('nss', sa.String(length=11), nullable=False),
    sa.Column('curp', sa.String(length=18), nullable=False),
    sa.Column('nombre', sa.String(length=100), nullable=False),
    sa.Column('primer_apellido', sa.String(length=100), nullable=False),
    sa.Column('segundo_apellido', sa.String(length=100), nullable=False),
    sa.Column('sbc', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('nombre_orden', sa.String(length=310), nullable=False),
    sa.Column('busqueda', sa.String(length=600), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contrato_id'], ['contrato.id'], name=op.f('fk_trabajador_contrato_id_contrato'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'], name=op.f('fk_trabajador_informativa_id_informativa'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trabajador')),
    sa.UniqueConstraint('contrato_id', 'curp', name='uq_trabajador_contrato_curp'),
    sa.UniqueConstraint('contrato_id', 'nss', name='uq_trabajador_contrato_nss')
    )
    with op.batch_alter_table('trabajador', schema=None) as batch_op:
        batch_op.create_index('ix_trabajador_contrato_nombre', ['contrato_id', 'nombre_orden', 'id'], unique=False)
        batch_op.create_index('ix_trabajador_informativa_nombre', ['informativa_id', 'nombre_orden', 'id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':  # pg_trgm exists since 0003
        op.create_index('ix_trabajador_busqueda_trgm', 'trabajador', ['busqueda'], unique=False,
                        postgresql_using='gin', postgresql_ops={'busqueda': 'gin_trgm_ops'})

    with op.batch_alter_table('bitacora', schema=None) as batch_op:
        batch_op.add_column(sa.Column('informativa_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_bitacora_informativa_creado', ['informativa_id', 'creado_en'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bitacora_informativa_id_informativa'), 'informativa', ['informativa_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('bitacora', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bitacora_informativa_id_informativa'), type_='foreignkey')
        batch_op.drop_index('ix_bitacora_informativa_creado')
        batch_op.drop_column('informativa_id')

    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_trabajador_busqueda_trgm', table_name='trabajador')
    with op.batch_alter_table('trabajador', schema=None) as batch_op:
        batch_op.drop_index('ix_trabajador_informativa_nombre')
        batch_op.drop_index('ix_trabajador_contrato_nombre')

    op.drop_table('trabajador')
    with op.batch_alter_table('carga_trabajadores', schema=None) as batch_op:
        batch_op.drop_index('ix_carga_trabajadores_contrato_creado')

    op.drop_table('carga_trabajadores')
    with op.batch_alter_table('contrato', schema=None) as batch_op:
        batch_op.drop_index('ix_contrato_informativa_id')

    op.drop_table('contrato')
    op.drop_table('informativa')
    op.drop_table('contratante')
