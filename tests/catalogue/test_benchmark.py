"""The catalogue benchmark's generator and request loop, at a toy size (the real run is
``python -m benchmarks.catalogue``; see the README)."""

import pytest

from benchmarks import catalogue as bench
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor


@pytest.mark.django_db
def test_benchmark_generates_a_catalogue_and_times_every_kind():
    catalogue = bench.populate(courses=200, vendors=10, seed=3)
    assert catalogue.listed == 200
    assert catalogue.counts["vendors"] == 11
    assert Vendor.objects.exclude(status=Vendor.Status.APPROVED).count() == 1
    assert Course.objects.count() == 200 + 20 + 10  # listed, unlisted of approved vendors, off-list vendors
    kinds = bench.request_kinds(catalogue)
    bench.run_requests(catalogue, kinds, total=2 * len(kinds))
    for kind in kinds:
        assert len(kind.seconds) == 2, kind.name
        assert len(kind.queries) == 1, kind.name  # the same cost every time
        assert kind.rows == min(kind.total, kind.params.get("page_size", 20)) or kind.name.startswith("deep")
    report = bench.format_report(catalogue, kinds, bench.machine())
    assert "no filter" in report and "p95 ms" in report


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert bench.percentile(values, 50) == 10.0
    assert bench.percentile(values, 95) == 19.0
    assert bench.percentile([3.0], 95) == 3.0
