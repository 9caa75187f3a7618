"""Firma y presentación: the acuse (folio, sello, certificate), the yearly folio sequence, complementarias
(clase, complementa_id) and the moment an informativa was presented.

A presented informativa is immutable, and the database says so too: triggers refuse any UPDATE of a
presented informativa, any INSERT or UPDATE of its contracts and workers, and any UPDATE of an acuse.
(Deletes are left to the service: removing a whole account is the only cascade.) SQLite's batch mode
copies a table to alter it and drops its triggers: a later migration that batch-alters informativa,
contrato, trabajador or acuse must create them again (``_crear_candados``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:28:01.866438
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('folio_anual',
    sa.Column('anio', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ultimo', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('anio', name=op.f('pk_folio_anual'))
    )
    op.create_table('acuse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('informativa_id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.String(length=20), nullable=False),
    sa.Column('fecha', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vencimiento', sa.Date(), nullable=False),
    sa.Column('en_tiempo', sa.Boolean(), nullable=False),
    sa.Column('razon_social', sa.String(length=250), nullable=False),
    sa.Column('contratos', sa.Integer(), nullable=False),
    sa.Column('trabajadores', sa.Integer(), nullable=False),
    sa.Column('cadena_version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('sello', sa.Text(), nullable=False),
    sa.Column('certificado', sa.LargeBinary(), nullable=False),
    sa.Column('numero_certificado', sa.String(length=20), nullable=False),
    sa.Column('rfc', sa.String(length=13), nullable=False),
    sa.Column('rfc_representante', sa.String(length=13), nullable=True),
    sa.Column('curp', sa.String(length=18), nullable=True),
    sa.Column('firmante', sa.String(length=250), nullable=False),
    sa.Column('emisor', sa.String(length=250), nullable=False),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('fk_acuse_contratista_id_contratista'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['informativa_id'], ['informativa.id'], name=op.f('fk_acuse_informativa_id_informativa'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acuse')),
    sa.UniqueConstraint('folio', name=op.f('uq_acuse_folio')),
    sa.UniqueConstraint('informativa_id', name=op.f('uq_acuse_informativa_id'))
    )
    with op.batch_alter_table('acuse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acuse_contratista_id'), ['contratista_id'], unique=False)

    with op.batch_alter_table('informativa', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clase', sa.String(length=12), server_default='original', nullable=False))
        batch_op.add_column(sa.Column('complementa_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('presentada_en', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_informativa_complementa_id_informativa'), 'informativa', ['complementa_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_informativa_numero_valido'), 'numero BETWEEN 0 AND 4')

    _crear_candados()


_MENSAJE = "informativa presentada: no se modifica"
_FILAS = ("contrato", "trabajador")


def _crear_candados():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION rechazar_cambio_presentada() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{_MENSAJE} (%)', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END $$""")
        op.execute(f"""
            CREATE FUNCTION rechazar_fila_de_presentada() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM informativa
                                                 WHERE id = OLD.informativa_id AND estado = 'presentada'))
                   OR EXISTS (SELECT 1 FROM informativa WHERE id = NEW.informativa_id AND estado = 'presentada') THEN
                    RAISE EXCEPTION '{_MENSAJE} (%)', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute("CREATE TRIGGER informativa_presentada_no_cambia BEFORE UPDATE ON informativa FOR EACH ROW "
                   "WHEN (OLD.estado = 'presentada') EXECUTE FUNCTION rechazar_cambio_presentada()")
        op.execute("CREATE TRIGGER acuse_no_cambia BEFORE UPDATE ON acuse FOR EACH ROW "
                   "EXECUTE FUNCTION rechazar_cambio_presentada()")
        for tabla in _FILAS:
            op.execute(f"CREATE TRIGGER {tabla}_de_presentada_no_cambia BEFORE INSERT OR UPDATE ON {tabla} "
                       "FOR EACH ROW EXECUTE FUNCTION rechazar_fila_de_presentada()")
        return
    abortar = f"BEGIN SELECT RAISE(ABORT, '{_MENSAJE}'); END"
    op.execute("CREATE TRIGGER informativa_presentada_no_cambia BEFORE UPDATE ON informativa "
               f"WHEN OLD.estado = 'presentada' {abortar}")
    op.execute(f"CREATE TRIGGER acuse_no_cambia BEFORE UPDATE ON acuse {abortar}")
    presentada = "(SELECT estado FROM informativa WHERE id = {}.informativa_id) = 'presentada'"
    for tabla in _FILAS:
        op.execute(f"CREATE TRIGGER {tabla}_de_presentada_no_se_agrega BEFORE INSERT ON {tabla} "
                   f"WHEN {presentada.format('NEW')} {abortar}")
        op.execute(f"CREATE TRIGGER {tabla}_de_presentada_no_cambia BEFORE UPDATE ON {tabla} "
                   f"WHEN {presentada.format('OLD')} OR {presentada.format('NEW')} {abortar}")


def _quitar_candados():
    if op.get_bind().dialect.name == "postgresql":
        for tabla in _FILAS:
            op.execute(f"DROP TRIGGER {tabla}_de_presentada_no_cambia ON {tabla}")
        op.execute("DROP TRIGGER acuse_no_cambia ON acuse")
        op.execute("DROP TRIGGER informativa_presentada_no_cambia ON informativa")
        op.execute("DROP FUNCTION rechazar_fila_de_presentada()")
        op.execute("DROP FUNCTION rechazar_cambio_presentada()")
        return
    for tabla in _FILAS:
        op.execute(f"DROP TRIGGER {tabla}_de_presentada_no_cambia")
        op.execute(f"DROP TRIGGER {tabla}_de_presentada_no_se_agrega")
    op.execute("DROP TRIGGER acuse_no_cambia")
    op.execute("DROP TRIGGER informativa_presentada_no_cambia")


def downgrade():
    _quitar_candados()
    with op.batch_alter_table('informativa', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_informativa_numero_valido'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_informativa_complementa_id_informativa'), type_='foreignkey')
        batch_op.drop_column('presentada_en')
        batch_op.drop_column('complementa_id')
        batch_op.drop_column('clase')

    with op.batch_alter_table('acuse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acuse_contratista_id'))

    op.drop_table('acuse')
    op.drop_table('folio_anual')
