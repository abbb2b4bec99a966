"""Run localstripe for the tests: ``python -m tests.payments.localstripe_server PORT DATA_DIR``.

localstripe's own ``start()`` listens on every interface (``::``) and keeps its store in the
fixed file ``/tmp/localstripe.pickle``, shared by every run on the machine. This launcher
reuses its aiohttp ``app`` but binds 127.0.0.1 only and points the store at ``DATA_DIR``.

localstripe ignores ``Idempotency-Key``; real Stripe replays the first response for a key (and
refuses the key with different parameters). A small middleware adds that documented behaviour,
so the tests can check that our provider sends its keys.
"""

import hashlib
import pickle
import sys
from pathlib import Path

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    port, data_dir = int(sys.argv[1]), Path(sys.argv[2])
    store_file = data_dir / "localstripe.pickle"

    def dump_to_disk(self):
        with open(store_file, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    def try_load_from_disk(self):
        if store_file.exists():
            with open(store_file, "rb") as f:
                self.clear()
                self.update(pickle.load(f))

    resources.Store.dump_to_disk = dump_to_disk
    resources.Store.try_load_from_disk = try_load_from_disk

    replies: dict[str, tuple[str, int, bytes]] = {}

    @web.middleware
    async def idempotency(request, handler):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)
        fingerprint = hashlib.sha256(request.path.encode() + b"\0" + await request.read()).hexdigest()
        if key in replies:
            seen, status, body = replies[key]
            if seen != fingerprint:
                return web.json_response(
                    {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests "
                            "can only be used with the same parameters they were first used with.",
                        }
                    },
                    status=400,
                )
            return web.Response(
                status=status,
                body=body,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        response = await handler(request)
        if isinstance(response, web.Response) and response.body is not None and response.status < 500:
            replies[key] = (fingerprint, response.status, bytes(response.body))
        return response

    # Outermost, so it also replays the error responses made by localstripe's error middleware.
    server.app.middlewares.insert(0, idempotency)
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
