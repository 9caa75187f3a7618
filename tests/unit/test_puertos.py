"""puerto_libre (bench/carga.py, also the tests'): a port another process claimed is never handed out,
even when the kernel offers it again, so two suites running at once (``make test``) cannot start two
servers on one port or talk to each other's."""
from __future__ import annotations

import subprocess
import sys

from bench import carga


class _Nucleo:
    """socket.socket as puerto_libre uses it, with the kernel's picks given in advance."""

    def __init__(self, puertos):
        self.puertos = list(puertos)

    def __call__(self, *args, **kwargs):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def bind(self, direccion):
        pass

    def getsockname(self):
        return ("127.0.0.1", self.puertos.pop(0))


def test_un_puerto_tomado_por_otro_proceso_no_se_entrega(monkeypatch, tmp_path):
    monkeypatch.setattr(carga, "CERROJOS", tmp_path)  # the real folder's locks are the running suites'
    tomado, libre = 47001, 47002  # what the fake kernel offers: the first is another process's
    cerrojo = tmp_path / str(tomado)
    otro = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); "
                               "print('listo', flush=True); sys.stdin.read()", str(cerrojo)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert otro.stdout.readline().strip() == "listo"
        monkeypatch.setattr(carga.socket, "socket", _Nucleo([tomado, libre, tomado]))
        assert carga.puerto_libre() == libre
    finally:
        otro.communicate("", timeout=10)
    # Once that process is gone its port can be handed out again, once: this process holds it then.
    monkeypatch.setattr(carga.socket, "socket", _Nucleo([tomado, tomado, libre + 1]))
    assert carga.puerto_libre() == tomado
    assert carga.puerto_libre() == libre + 1
