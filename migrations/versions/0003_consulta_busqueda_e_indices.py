"""consulta: search/sort copies on relacion_capturista and keyset indexes

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from domain.texto import clave_busqueda, clave_orden_nombre

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_INDICES = {
    "ix_relacion_capturista_contratista_curp": ["contratista_id", "curp", "id"],
    "ix_relacion_capturista_contratista_nombre": ["contratista_id", "nombre_orden", "id"],
    "ix_relacion_capturista_contratista_correo": ["contratista_id", "correo", "id"],
    "ix_relacion_capturista_contratista_estatus": ["contratista_id", "estatus", "creado_en", "id"],
}


def upgrade():
    with op.batch_alter_table('relacion_capturista', schema=None) as batch_op:
        batch_op.add_column(sa.Column('curp', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('nombre_orden', sa.String(length=310), nullable=True))
        batch_op.add_column(sa.Column('busqueda', sa.String(length=600), nullable=True))

    # Backfill existing rows from the person's data.
    conexion = op.get_bind()
    filas = conexion.execute(sa.text(
        "SELECT r.id, r.correo, c.curp, c.nombre, c.primer_apellido, c.segundo_apellido "
        "FROM relacion_capturista r JOIN capturista c ON c.id = r.capturista_id")).all()
    for f in filas:
        conexion.execute(sa.text(
            "UPDATE relacion_capturista SET curp = :curp, nombre_orden = :orden, busqueda = :busqueda WHERE id = :id"),
            {"id": f.id, "curp": f.curp,
             "orden": clave_orden_nombre(f.nombre, f.primer_apellido, f.segundo_apellido),
             "busqueda": clave_busqueda(f.curp, f.nombre, f.primer_apellido, f.segundo_apellido, f.correo)})

    with op.batch_alter_table('relacion_capturista', schema=None) as batch_op:
        batch_op.alter_column('curp', existing_type=sa.String(length=18), nullable=False)
        batch_op.alter_column('nombre_orden', existing_type=sa.String(length=310), nullable=False)
        batch_op.alter_column('busqueda', existing_type=sa.String(length=600), nullable=False)
        for nombre, columnas in _INDICES.items():
            batch_op.create_index(nombre, columnas, unique=False)

    if conexion.dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_relacion_capturista_busqueda_trgm', 'relacion_capturista', ['busqueda'],
                        unique=False, postgresql_using='gin', postgresql_ops={'busqueda': 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_relacion_capturista_busqueda_trgm', table_name='relacion_capturista')
    with op.batch_alter_table('relacion_capturista', schema=None) as batch_op:
        for nombre in _INDICES:
            batch_op.drop_index(nombre)
        batch_op.drop_column('busqueda')
        batch_op.drop_column('nombre_orden')
        batch_op.drop_column('curp')
