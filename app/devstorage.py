"""A Bunny-Edge-Storage look-alike over a local folder, for `make run` on a machine with no Bunny.

It speaks the subset the service, `posterx submit` and the posters.science frontend use: `GET`,
`PUT` and `DELETE /{zone}/{path}` with the `AccessKey` header, 401 on a wrong key, 404 on a
missing file. `GET` answers the Content-Type of the object's extension, so the frontend's
thumbnail route passes `image/jpeg` on. `make run` starts it when
BUNNY_STORAGE_URL points at this machine, so the quick start works without credentials.
It is a development tool: production talks to Bunny itself.
"""

from __future__ import annotations

import contextlib
import hmac
import mimetypes
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def make_server(root: Path, zone: str, access_key: str, host: str, port: int) -> ThreadingHTTPServer:
    root = root.resolve()
    _types = mimetypes.MimeTypes(filenames=())  # Python's table: the same answer on every machine
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):  # the service logs what matters; keep the console quiet
            pass

        def _target(self) -> Path | None:
            parts = urlsplit(self.path).path.lstrip("/").split("/", 1)
            if len(parts) != 2 or unquote(parts[0]) != zone:
                return None
            target = (root / unquote(parts[1])).resolve()
            return target if target.is_relative_to(root) and target != root else None

        def _reply(self, code: int, body: bytes = b"") -> None:
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _checked(self) -> Path | None:
            if not hmac.compare_digest(self.headers.get("AccessKey", ""), access_key):
                self._reply(401, b'{"HttpCode":401,"Message":"Unauthorized"}')
                return None
            target = self._target()
            if target is None:
                self._reply(400, b'{"HttpCode":400,"Message":"Invalid path"}')
            return target

        def do_GET(self):  # noqa: N802
            target = self._checked()
            if target is None:
                return
            if not target.is_file():
                self._reply(404, b'{"HttpCode":404,"Message":"Object Not Found"}')
                return
            self.send_response(200)
            self.send_header("Content-Type", _types.guess_type(target.name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(target.stat().st_size))
            self.end_headers()
            with target.open("rb") as fh:
                shutil.copyfileobj(fh, self.wfile)

        def do_PUT(self):  # noqa: N802
            target = self._checked()
            if target is None:
                return
            length = int(self.headers.get("Content-Length") or 0)
            target.parent.mkdir(parents=True, exist_ok=True)
            with lock, target.open("wb") as fh:
                remaining = length
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    fh.write(chunk)
                    remaining -= len(chunk)
            self._reply(201, b'{"HttpCode":201,"Message":"File uploaded."}')

        def do_DELETE(self):  # noqa: N802 - a file, or a folder when the path ends with '/'
            target = self._checked()
            if target is None:
                return
            if target.is_dir() and self.path.endswith("/"):
                shutil.rmtree(target)
            elif target.is_file():
                target.unlink()
            else:
                self._reply(404, b'{"HttpCode":404,"Message":"Object Not Found"}')
                return
            self._reply(200, b'{"HttpCode":200,"Message":"File deleted successfuly."}')

    return ThreadingHTTPServer((host, port), Handler)


def main(argv: list[str] | None = None) -> int:
    """`python -m app.devstorage [--host H] [--port P] [--root DIR]`: serve a folder for the
    configured zone and key. By default it listens where BUNNY_STORAGE_URL points and serves
    var/storage; in a container (docker-compose.yml, profile `dev`) it listens on 0.0.0.0."""
    import argparse

    from app.settings import get_or_exit

    settings = get_or_exit()
    url = urlsplit(settings.bunny_storage_url)
    parser = argparse.ArgumentParser(prog="python -m app.devstorage")
    parser.add_argument("--host", default=url.hostname or "127.0.0.1")
    parser.add_argument("--port", type=int, default=url.port or 80)
    parser.add_argument("--root", type=Path, default=Path("var/storage"))
    args = parser.parse_args(argv)
    root = args.root
    root.mkdir(parents=True, exist_ok=True)
    server = make_server(root, settings.bunny_storage_zone, settings.bunny_access_key, args.host, args.port)
    print(f"posterx: development storage on {args.host}:{args.port} serving {root}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
