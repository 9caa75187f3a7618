"""recordatorio_enviado: the filing reminders already sent (contractor, period, days before the
deadline); its unique key makes each one go at most once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recordatorio_enviado',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contratista_id', sa.Integer(), nullable=False),
    sa.Column('anio', sa.Integer(), nullable=False),
    sa.Column('periodo', sa.Integer(), nullable=False),
    sa.Column('dias', sa.Integer(), nullable=False),
    sa.Column('correos', sa.Integer(), nullable=False),
    sa.Column('enviado_en', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('periodo BETWEEN 1 AND 3', name=op.f('ck_recordatorio_enviado_periodo_valido')),
    sa.ForeignKeyConstraint(['contratista_id'], ['contratista.id'], name=op.f('fk_recordatorio_enviado_contratista_id_contratista'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recordatorio_enviado')),
    sa.UniqueConstraint('contratista_id', 'anio', 'periodo', 'dias', name='uq_recordatorio_enviado_periodo_dias')
    )


def downgrade():
    op.drop_table('recordatorio_enviado')
