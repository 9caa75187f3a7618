"""Carga masiva de capturistas: carga_capturistas (the file, its state and counts: preview, then Guardar)
and its rows, fila_carga_capturistas (the cells as uploaded, Alta's verdict, the capturista each row
created); correo_saliente.masivo marks the activation e-mails a carga's Guardar queued (they are bounded
by the bulk allowance of lookups, not by CORREOS_POR_DIA_CONTRATISTA).

No table of 0010's immutable informativas is altered: their triggers stay as they are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('carga_capturistas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('solicitante', sa.String(length=120), nullable=False),
    sa.Column('nombre_archivo', sa.String(length=255), nullable=False),
    sa.Column('estado', sa.String(length=12), nullable=False),
    sa.Column('validas', sa.Integer(), nullable=False),
    sa.Column('rechazadas', sa.Integer(), nullable=False),
    sa.Column('creadas', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('creado_en', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revisada_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('guardada_en', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('procesadas', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('fk_carga_capturistas_contratista_id_contratista'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carga_capturistas'))
    )
    with op.batch_alter_table('carga_capturistas', schema=None) as batch_op:
        batch_op.create_index('ix_carga_capturistas_contratista_creado', ['contratista_id', 'creado_en'], unique=False)

    op.create_table('fila_carga_capturistas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carga_id', sa.Integer(), nullable=False),
    sa.Column('numero', sa.Integer(), nullable=False),
    sa.Column('curp', sa.String(length=200), nullable=False),
    sa.Column('telefono', sa.String(length=200), nullable=False),
    sa.Column('correo', sa.String(length=200), nullable=False),
    sa.Column('curp_valida', sa.String(length=18), nullable=True),
    sa.Column('telefono_valido', sa.String(length=10), nullable=True),
    sa.Column('correo_valido', sa.String(length=254), nullable=True),
    sa.Column('nombre', sa.String(length=100), nullable=True),
    sa.Column('primer_apellido', sa.String(length=100), nullable=True),
    sa.Column('segundo_apellido', sa.String(length=100), nullable=True),
    sa.Column('motivo', sa.Text(), nullable=True),
    sa.Column('relacion_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carga_id'], ['carga_capturistas.id'], name=op.f('fk_fila_carga_capturistas_carga_id_carga_capturistas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relacion_id'], ['relacion_capturista.id'], name=op.f('fk_fila_carga_capturistas_relacion_id_relacion_capturista'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fila_carga_capturistas'))
    )
    with op.batch_alter_table('fila_carga_capturistas', schema=None) as batch_op:
        batch_op.create_index('ix_fila_carga_capturistas_carga_numero', ['carga_id', 'numero'], unique=False)

    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.add_column(sa.Column('masivo', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.drop_column('masivo')

    with op.batch_alter_table('fila_carga_capturistas', schema=None) as batch_op:
        batch_op.drop_index('ix_fila_carga_capturistas_carga_numero')

    op.drop_table('fila_carga_capturistas')
    with op.batch_alter_table('carga_capturistas', schema=None) as batch_op:
        batch_op.drop_index('ix_carga_capturistas_contratista_creado')

    op.drop_table('carga_capturistas')
