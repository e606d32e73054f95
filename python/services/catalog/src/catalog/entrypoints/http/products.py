"""The ``/products`` routes: translate HTTP to domain calls and back, nothing more.

Reads use short read-only units of work (``dependencies.py``); writes call the use cases
(``catalog.use_cases``), which run in a unit of work and record an outbox event.

Errors are *raised* here (domain errors from ``catalog.domain.errors``) and turned into
responses in one place, ``problem_details.py``; no route builds an error response itself.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response, status

from catalog import use_cases
from catalog.domain.errors import ProductNotFoundError
from catalog.entrypoints.http.dependencies import (
    get_product_details,
    get_product_repository,
    get_unit_of_work_factory,
)
from catalog.entrypoints.http.details_schemas import ProductDetailsResponse
from catalog.entrypoints.http.idempotency import (
    fingerprint,
    idempotency_key,
    render_created,
    stored_response,
)
from catalog.entrypoints.http.json_body import StrictJsonRoute
from catalog.entrypoints.http.schemas import (
    CreateProductRequest,
    ProductListResponse,
    ProductResponse,
    UpdateProductRequest,
)
from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.idempotency import create_product_once
from catalog.ports import ProductReader, UnitOfWorkFactory

# StrictJsonRoute: bodies are read as the Go twin reads them (json_body.py).
router = APIRouter(prefix="/products", tags=["products"], route_class=StrictJsonRoute)

Repository = Annotated[ProductReader, Depends(get_product_repository)]
Units = Annotated[UnitOfWorkFactory, Depends(get_unit_of_work_factory)]
Details = Annotated[ProductDetailsAggregator, Depends(get_product_details)]


def parse_product_id(raw: str) -> UUID:
    """The id in the path, or ``ProductNotFoundError``.

    Ids are opaque to clients: a string that is not exactly an id this catalog hands out (a
    canonical lowercase UUID) names no product, so it is a 404, not a 422. Parsing happens in
    the route body, after FastAPI validated the request body, so for PUT the rule is simply
    "invalid body -> 422, then unknown id -> 404".
    """
    try:
        product_id = UUID(raw)
    except ValueError:
        raise ProductNotFoundError(raw) from None
    if str(product_id) != raw:
        raise ProductNotFoundError(raw)
    return product_id


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProductResponse)
async def create_product(
    body: CreateProductRequest, units: Units, request: Request, response: Response
) -> ProductResponse | Response:
    # The body was validated first, then the key: a bad body and a bad key name the body.
    key = idempotency_key(request)
    if key is not None:
        answer = await create_product_once(
            units(),
            key=key,
            fingerprint=fingerprint(body),
            sku=body.sku,
            name=body.name,
            price=body.price,
            render=render_created,
        )
        return stored_response(answer)
    product = await use_cases.create_product(
        units(), sku=body.sku, name=body.name, price=body.price
    )
    response.headers["Location"] = f"/products/{product.id}"
    return ProductResponse.from_domain(product)


@router.get("")
async def list_products(repository: Repository) -> ProductListResponse:
    products = await repository.list_all()
    return ProductListResponse(items=[ProductResponse.from_domain(p) for p in products])


@router.get("/{product_id}", response_model=ProductDetailsResponse)
async def get_product(product_id: str, repository: Repository, details: Details) -> Response:
    """The product plus pricing, inventory and reviews, fetched concurrently (lab 2).

    An upstream that is late or down does not fail the request: its part is ``null`` and
    listed in ``degraded``. The product itself comes from the repository, so an unknown id is
    still a 404 and no upstream is asked.

    The body is serialised here, once: returned as a model, FastAPI would validate it again
    against ``response_model`` (which only documents it) before serialising it.
    """
    product = await repository.get(parse_product_id(product_id))
    body = ProductDetailsResponse.from_parts(product, await details.fetch(str(product.id)))
    return Response(body.model_dump_json(), media_type="application/json")


@router.put("/{product_id}")
async def update_product(
    product_id: str, body: UpdateProductRequest, units: Units
) -> ProductResponse:
    revised = await use_cases.update_product(
        units(), parse_product_id(product_id), name=body.name, price=body.price
    )
    return ProductResponse.from_domain(revised)


@router.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_product(product_id: str, units: Units) -> Response:
    await use_cases.delete_product(units(), parse_product_id(product_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
