"""The Python baseline of ``pnpm bench``: FastAPI on uvicorn, configured like the catalog
(same server, same log settings), answering ``GET /products/{id}`` with a canned body
(``canned.json``, shaped like a catalog answer). Its requests/s are the framework's ceiling.

``python tooling/bench/baselines/canned_fastapi.py --host 127.0.0.1 --port 8000``
"""

import argparse
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

BODY = (Path(__file__).parent / "canned.json").read_bytes()

app = FastAPI(title="bench-canned", redirect_slashes=False)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/products/{product_id}")
async def product(product_id: str) -> Response:
    return Response(content=BODY, media_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(prog="canned_fastapi")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
