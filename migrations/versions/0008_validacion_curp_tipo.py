"""validacion_curp.tipo: the workers of an informativa get a padrón allowance of their own
(VALIDACIONES_TRABAJADORES_POR_DIA), beside Alta de usuarios' (VALIDACIONES_CURP_POR_HORA); the
indexes count each kind's window and find a CURP already counted in it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('validacion_curp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tipo', sa.String(length=12), server_default='capturista', nullable=False))
        batch_op.drop_index('ix_validacion_curp_contratista_creado')
        batch_op.create_index('ix_validacion_curp_cupo', ['contratista_id', 'tipo', 'creado_en'], unique=False)
        batch_op.create_index('ix_validacion_curp_curp', ['contratista_id', 'tipo', 'curp', 'creado_en'], unique=False)


def downgrade():
    with op.batch_alter_table('validacion_curp', schema=None) as batch_op:
        batch_op.drop_index('ix_validacion_curp_curp')
        batch_op.drop_index('ix_validacion_curp_cupo')
        batch_op.create_index('ix_validacion_curp_contratista_creado', ['contratista_id', 'creado_en'], unique=False)
        batch_op.drop_column('tipo')
