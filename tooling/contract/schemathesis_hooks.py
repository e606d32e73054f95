"""schemathesis hooks for the catalogs' gate (tooling/contract/schemathesis.ts loads this file).

One hook, one reason: JSON Schema cannot tell ``12`` from ``12.0`` (both are the integer 12 in
its data model), so schemathesis sends integer-valued floats as *valid* integers. The contract
refuses them (``amount_minor`` must be spelled as a JSON integer: 12.0 and 1e2 are 422 in both
catalogs, a rule the contract suite pins). A positive case holding such a float is dropped;
negative cases keep them.
"""

from typing import Any

import schemathesis
from schemathesis import GenerationMode


def _has_whole_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_whole_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_whole_float(v) for v in value)
    return False


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    meta = case.meta
    if meta is None or meta.generation.mode is not GenerationMode.POSITIVE:
        return True
    return not _has_whole_float(case.body)
