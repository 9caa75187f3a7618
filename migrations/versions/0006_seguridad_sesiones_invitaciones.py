"""Security model: revocable sessions, verified contractor e-mail, invitations, mail per contractor.

Login lockout moves out of the account rows (it let anybody lock the owner out) to a throttle per
(account, client) and per client (Flask-Limiter), so its columns go.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:15:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    for tabla in ('contratista', 'capturista'):
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sesion_version', sa.Integer(), server_default='0', nullable=False))
            batch_op.drop_column('intentos_fallidos')
            batch_op.drop_column('bloqueado_hasta')
    with op.batch_alter_table('contratista', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correo_verificado_en', sa.DateTime(timezone=True), nullable=True))
    # Accounts created before verification existed keep working.
    op.execute('UPDATE contratista SET correo_verificado_en = creado_en')

    with op.batch_alter_table('relacion_capturista', schema=None) as batch_op:
        batch_op.add_column(sa.Column('por_invitacion', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contratista_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_correo_saliente_contratista_id_contratista'), 'contratista',
                                    ['contratista_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_correo_saliente_contratista_creado', ['contratista_id', 'creado_en'], unique=False)
    op.execute('UPDATE correo_saliente SET contratista_id = (SELECT r.contratista_id FROM relacion_capturista r '
               'WHERE r.id = correo_saliente.relacion_id) WHERE relacion_id IS NOT NULL')


def downgrade():
    with op.batch_alter_table('correo_saliente', schema=None) as batch_op:
        batch_op.drop_index('ix_correo_saliente_contratista_creado')
        batch_op.drop_constraint(batch_op.f('fk_correo_saliente_contratista_id_contratista'), type_='foreignkey')
        batch_op.drop_column('contratista_id')
    with op.batch_alter_table('relacion_capturista', schema=None) as batch_op:
        batch_op.drop_column('por_invitacion')
    with op.batch_alter_table('contratista', schema=None) as batch_op:
        batch_op.drop_column('correo_verificado_en')
    for tabla in ('contratista', 'capturista'):
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            batch_op.add_column(sa.Column('bloqueado_hasta', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('intentos_fallidos', sa.Integer(), server_default='0', nullable=False))
            batch_op.drop_column('sesion_version')
