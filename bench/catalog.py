"""Catalogue benchmark: server time of the busiest read pages on a large catalogue.

    .venv/bin/python bench/catalog.py [--products 100000] [--requests 200] [--backends sqlite,postgres]

For each backend a child process gets a fresh database (a SQLite file in a temporary folder, or a
temporary PostgreSQL database on 127.0.0.1:5432 that is dropped afterwards), migrates, builds the demo
catalogue with N products, warms up, then times R requests per page through Django's in-process test
client: the figure is the time inside the application (URL routing, views, ORM, templates), with no
network server and no client. Prints one JSON line per backend with p50/p95 in ms and the ratio of each
p95 to the 30 ms target. Request counts and an overall deadline bound the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from scratch import run_in_child

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 30.0
DEADLINE_SECONDS = 1800


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(products: int, requests: int, backend: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from jishi.catalog.models import Product
    from jishi.catalog.selectors import get_category_tree

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    call_command("demo", products=products, no_images=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    build_seconds = time.monotonic() - started

    tree = get_category_tree()
    busiest_root = max(tree.roots, key=lambda root: Product.objects.filter(
        category_id__in=tree.descendant_ids(root)).count())
    busiest_child = max(tree.children.get(busiest_root.id, []), key=lambda child: len(tree.descendant_ids(child)))
    product_ids = list(Product.objects.filter(status="active").values_list("id", flat=True)[:5000])
    rng = random.Random(7)
    pages = {
        "home": lambda: "/",
        "category": lambda: f"/c/{busiest_root.slug}/",
        "category_page_20": lambda: f"/c/{busiest_root.slug}/?page=20&sort=price_asc",
        "subcategory_by_price": lambda: f"/c/{busiest_child.slug}/?sort=price_desc",
        "product": lambda: f"/p/{rng.choice(product_ids)}/",
        "api_products": lambda: "/api/v1/products",
        "api_products_category": lambda: f"/api/v1/products?category={busiest_root.slug}&sort=price_desc",
    }
    client = Client()
    figures: dict = {"bench": "catalog", "backend": backend, "products": products,
                     "build_seconds": round(build_seconds, 1), "requests_per_page": requests,
                     "target_p95_ms": TARGET_P95_MS}
    for name, url in pages.items():
        for _ in range(10):
            assert client.get(url()).status_code == 200, name
        samples = []
        for _ in range(requests):
            target = url()
            begin = time.perf_counter()
            response = client.get(target)
            samples.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (name, target)
        p95 = percentile(samples, 0.95)
        figures[name] = {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2),
                         "p95_over_target": round(p95 / TARGET_P95_MS, 2)}
    return figures


def run_child(backend: str, products: int, requests: int) -> dict | None:
    return run_in_child(__file__, backend, "catalog", ["--products", str(products), "--requests", str(requests)], timeout=DEADLINE_SECONDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000:
        parser.error("--requests must be between 1 and 5000")
    if args.child:
        print(json.dumps(measure(args.products, args.requests, args.child)))
        return 0
    results = [run_child(backend.strip(), args.products, args.requests) for backend in args.backends.split(",")]
    return 0 if all(r is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
