"""Benchmark the public course catalogue's list view (``catalogue:courses``) on a big catalogue.

It creates a fresh, empty database with Django's test-database machinery
(``django.test.utils.setup_databases``: a SQLite file in the temporary folder, or
``test_<name>`` beside the PostgreSQL database that ``DATABASE_URL`` names — never the
database itself), migrates it, and fills it from one seeded ``random.Random``: four districts,
nine categories (one academic, with no courses), about 300 vendors (a tenth of them off the
approved list), their instructors with weekly availability windows, ``--courses`` approved
courses of approved vendors with one or two instructors each, and a further 15% of courses
that must never be listed (drafts, courses under review or rejected, courses of suspended,
revoked or rejected vendors). Everything is written with ``bulk_create``; the same seed
always gives the same catalogue. The planner's statistics are then gathered (``ANALYZE``), as
a database in service would have them.

It then requests the list view through Django's test ``Client`` (the whole middleware stack,
the filter form and the template; the connection stays open between requests, as with
``CONN_MAX_AGE``), cycling through the kinds of ``request_kinds`` until ``--requests`` requests
are made, after one untimed warm-up request of each kind and a full garbage collection (so
the generator's garbage is not collected in the middle of a timed request). Times are wall-clock
(``time.perf_counter``) around ``client.get``. It prints, per kind and overall, p50, p95
(nearest rank) and the largest time, and the number of SQL queries per request, which must
not depend on the page size. The database is dropped at the end.

Usage::

    python -m benchmarks.catalogue [--courses 10000] [--vendors 300] [--requests 200]
                                   [--seed 1] [--json OUT]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/catbench python -m benchmarks.catalogue

Exit status: 0, or 1 when the number of queries of a request kind varies between requests
(the page's cost would then depend on its content).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time as clock
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

DISTRICTS = (
    ("haishu", "海曙区", "Haishu"),
    ("jiangbei", "江北区", "Jiangbei"),
    ("yinzhou", "鄞州区", "Yinzhou"),
    ("zhenhai", "镇海区", "Zhenhai"),
)
# Enrichment caps per session (yuan) of the districts, in the order above.
CAPS = ("45.00", "50.00", "60.00", "40.00")
# code, Chinese, English, topics (Chinese, English)
CATEGORIES = (
    ("sports", "体育", "Sports", (("篮球", "basketball"), ("足球", "football"), ("乒乓球", "table tennis"),
                                ("羽毛球", "badminton"), ("跳绳", "rope skipping"), ("武术", "martial arts"))),
    ("arts", "美术", "Fine arts", (("水彩画", "watercolour"), ("素描", "sketching"), ("书法", "calligraphy"),
                                ("剪纸", "paper cutting"), ("陶艺", "pottery"))),
    ("music", "音乐", "Music", (("合唱", "choir"), ("古筝", "guzheng"), ("小提琴", "violin"),
                              ("非洲鼓", "djembe"))),
    ("stem", "科技", "STEM", (("机器人", "robotics"), ("编程", "coding"), ("3D打印", "3D printing"),
                            ("航模", "model aircraft"))),
    ("dance", "舞蹈", "Dance", (("民族舞", "folk dance"), ("街舞", "street dance"), ("芭蕾", "ballet"))),
    ("drama", "语言表演", "Drama and speaking", (("戏剧", "drama"), ("主持", "public speaking"),
                                             ("相声", "crosstalk"))),
    ("board-games", "棋类", "Board games", (("围棋", "go"), ("国际象棋", "chess"), ("象棋", "xiangqi"))),
    ("nature", "自然探索", "Nature", (("自然观察", "nature study"), ("种植", "gardening"))),
)  # fmt: skip
LEVELS = (("入门", "basics"), ("提高", "intermediate"), ("兴趣班", "club"), ("精品课", "masterclass"),
          ("启蒙", "first steps"), ("进阶", "advanced"))  # fmt: skip
PREFIXES = (("少儿", "Junior "), ("", ""), ("趣味", "Fun "), ("", ""))
VENDOR_PLACES = ("甬城", "天一", "三江", "东钱湖", "月湖", "四明", "阿育王", "慈城", "梁祝", "河姆渡")
VENDOR_PLACES_EN = ("Yongcheng", "Tianyi", "Sanjiang", "Dongqian Lake", "Moon Lake", "Siming",
                    "Ayuwang", "Cicheng", "Liangzhu", "Hemudu")  # fmt: skip
VENDOR_SUFFIXES = (("培训中心", "Training Centre"), ("艺术学校", "Arts School"), ("俱乐部", "Club"),
                   ("教育科技有限公司", "Education Technology Co."), ("工作室", "Studio"))  # fmt: skip
# Weekday weights (Monday first): most windows are on school days, a few at weekends.
WEEKDAY_WEIGHTS = (5, 5, 6, 5, 5, 2, 1)


@dataclass
class Catalogue:
    """What the generator made, and the ids the requests need."""

    counts: dict
    district_ids: list[int]
    category_ids: list[int]
    listed: int  # courses the catalogue lists
    admin_email: str
    seconds: float


@dataclass
class Kind:
    """One kind of request: its query parameters and who asks."""

    name: str
    params: dict
    as_admin: bool = False
    seconds: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    rows: int = 0
    total: int = 0

    def stats(self) -> dict:
        return {
            "kind": self.name,
            "params": self.params,
            "as_admin": self.as_admin,
            "requests": len(self.seconds),
            "rows": self.rows,
            "matching": self.total,
            "queries": sorted(self.queries),
            **timing(self.seconds),
        }


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0–100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def timing(seconds: list[float]) -> dict:
    if not seconds:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    return {
        "p50_ms": round(1000 * percentile(seconds, 50), 1),
        "p95_ms": round(1000 * percentile(seconds, 95), 1),
        "max_ms": round(1000 * max(seconds), 1),
    }


# --- the data ----------------------------------------------------------------------------------


def credit_code(n: int) -> str:
    from marketplace.vendors.credit_code import check_character

    first17 = f"91330200MA{n:07d}"
    return first17 + check_character(first17)


def populate(*, courses: int, vendors: int, seed: int) -> Catalogue:
    """Fill the empty database with a seeded city's catalogue (see the module docstring)."""
    from django.utils import timezone

    from marketplace.courses.models import Category, Course
    from marketplace.fees.models import ChargingStandard
    from marketplace.vendors.models import Instructor, InstructorAvailability, Vendor
    from people.accounts.models import User
    from people.roles.models import Membership, Role
    from scheduling.staff.models import Subject
    from schools.models import District, School

    started = time.perf_counter()
    rng = random.Random(f"catalogue-{seed}")
    districts = District.objects.bulk_create(
        District(code=code, name=name, name_en=name_en) for code, name, name_en in DISTRICTS
    )
    categories = Category.objects.bulk_create(
        Category(code=code, name=name, name_en=name_en) for code, name, name_en, _ in CATEGORIES
    )
    Category.objects.create(code="academic", name="学科类培训", name_en="Academic tutoring", is_academic=True)
    subjects = Subject.objects.bulk_create(
        Subject(code=f"bench-{category.code}", name=category.name, name_en=category.name_en)
        for category in categories
    )
    topics = {category.pk: CATEGORIES[i][3] for i, category in enumerate(categories)}
    subject_of = {category.pk: subjects[i] for i, category in enumerate(categories)}

    off_list = (
        Vendor.Status.SUSPENDED,
        Vendor.Status.REVOKED,
        Vendor.Status.SUBMITTED,
        Vendor.Status.REJECTED,
    )
    vendor_rows = []
    for n in range(vendors + vendors // 10):
        category = rng.choice(categories)
        place = rng.randrange(len(VENDOR_PLACES))
        topic, topic_en = rng.choice(topics[category.pk])
        suffix, suffix_en = rng.choice(VENDOR_SUFFIXES)
        vendor_rows.append(
            Vendor(
                name=f"{VENDOR_PLACES[place]}{topic}{suffix}{n}",
                name_en=f"{VENDOR_PLACES_EN[place]} {topic_en.title()} {suffix_en} {n}",
                credit_code=credit_code(n),
                category=category,
                district=rng.choice(districts),
                status=Vendor.Status.APPROVED if n < vendors else rng.choice(off_list),
                risk_grade=rng.choice(("", "", "A", "B", "C", "D")),
            )
        )
    all_vendors = Vendor.objects.bulk_create(vendor_rows)
    approved, others = all_vendors[:vendors], all_vendors[vendors:]

    instructors = Instructor.objects.bulk_create(
        Instructor(vendor=vendor, name=f"讲师{vendor.pk}-{i}")
        for vendor in all_vendors
        for i in range(rng.randint(2, 6))
    )
    by_vendor = defaultdict(list)
    for instructor in instructors:
        by_vendor[instructor.vendor_id].append(instructor)
    windows = []
    for instructor in instructors:
        days = set(rng.choices(range(7), weights=WEEKDAY_WEIGHTS, k=rng.randint(1, 3)))
        for day in sorted(days):
            start, end = (clock(15, 30), clock(18, 0)) if day < 5 else (clock(9, 0), clock(11, 30))
            windows.append(InstructorAvailability(instructor=instructor, weekday=day, start=start, end=end))
    InstructorAvailability.objects.bulk_create(windows, batch_size=2000)

    def course(vendor, review_status):
        category = vendor.category if rng.random() < 0.8 else rng.choice(categories)
        topic, topic_en = rng.choice(topics[category.pk])
        level, level_en = rng.choice(LEVELS)
        prefix, prefix_en = rng.choice(PREFIXES)
        grade_min = rng.randint(1, 9)
        return Course(
            vendor=vendor,
            category=category,
            subject=subject_of[category.pk],
            title=f"{prefix}{topic}{level}",
            title_en=f"{prefix_en}{topic_en} {level_en}".capitalize(),
            grade_min=grade_min,
            grade_max=rng.randint(grade_min, min(9, grade_min + 5)),
            sessions=rng.randint(8, 20),
            price_per_session=Decimal(rng.randrange(30, 161)) / 2,  # ¥15.00–¥80.00
            materials_fee=Decimal(rng.choice((0, 0, 0, 30, 50, 80, 120, 200))),
            description="",
            review_status=review_status,
            submitted_at=timezone.now() if review_status == Course.ReviewStatus.SUBMITTED else None,
        )

    rows = [course(rng.choice(approved), Course.ReviewStatus.APPROVED) for _ in range(courses)]
    unlisted = (Course.ReviewStatus.DRAFT, Course.ReviewStatus.SUBMITTED, Course.ReviewStatus.REJECTED)
    rows += [course(rng.choice(approved), rng.choice(unlisted)) for _ in range(courses // 10)]
    rows += [course(rng.choice(others), Course.ReviewStatus.APPROVED) for _ in range(courses // 20)]
    rng.shuffle(rows)  # ids do not follow status or vendor
    all_courses = Course.objects.bulk_create(rows, batch_size=2000)

    through = Course.instructors.through
    links = []
    for item in all_courses:
        team = by_vendor[item.vendor_id]
        if rng.random() < 0.05:
            continue  # instructors not named yet
        for instructor in rng.sample(team, k=min(len(team), rng.choice((1, 1, 2)))):
            links.append(through(course_id=item.pk, instructor_id=instructor.pk))
    through.objects.bulk_create(links, batch_size=5000)

    today = timezone.localdate()
    ChargingStandard.objects.bulk_create(
        ChargingStandard(
            district=district,
            service_kind=ChargingStandard.ServiceKind.ENRICHMENT,
            unit=ChargingStandard.Unit.PER_SESSION,
            cap_amount=Decimal(cap),
            effective_from=today.replace(month=1, day=1),
            approval_document=f"甬发改价格〔{today.year}〕{i + 1}号",
        )
        for i, (district, cap) in enumerate(zip(districts, CAPS, strict=True))
    )
    school = School.objects.create(
        district=districts[0],
        code="bench-school",
        name="基准小学",
        name_en="Benchmark Primary",
        stage="primary",
    )
    admin = User.objects.create_user(email="admin@bench.example.cn", password=None)
    Membership.objects.create(user=admin, role=Role.SCHOOL_ADMIN, school=school)

    analyse()
    return Catalogue(
        counts={
            "districts": len(districts),
            "vendors": len(all_vendors),
            "approved_vendors": len(approved),
            "instructors": len(instructors),
            "availability_windows": len(windows),
            "courses": len(all_courses),
            "course_instructor_links": len(links),
        },
        district_ids=[d.pk for d in districts],
        category_ids=[c.pk for c in categories],
        listed=catalogue_count(),
        admin_email=admin.email,
        seconds=time.perf_counter() - started,
    )


def analyse() -> None:
    """Gather the planner's statistics, as autovacuum (PostgreSQL) or a DBA (SQLite) would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def catalogue_count() -> int:
    from marketplace.catalogue.selectors import catalogue_courses

    return catalogue_courses().count()


# --- the requests ------------------------------------------------------------------------------


def request_kinds(catalogue: Catalogue) -> list[Kind]:
    """The mix: no filter, each filter, combined filters, each sort, deep pages, 100 a page."""
    district, category = catalogue.district_ids[1], catalogue.category_ids[0]
    last_20 = max(1, math.ceil(catalogue.listed / 20))
    last_100 = max(1, math.ceil(catalogue.listed / 100))
    return [
        Kind("no filter", {}),
        Kind("search", {"q": "篮球"}),
        Kind("search (English)", {"q": "basket"}),
        Kind("category", {"category": category}),
        Kind("grade", {"grade": 4}),
        Kind("district", {"district": district}),
        Kind("weekday", {"weekday": ["2"]}),
        Kind("two weekdays", {"weekday": ["1", "3"]}),
        Kind("price range", {"min_price": "30", "max_price": "50"}),
        Kind(
            "combined",
            {"category": category, "grade": 3, "district": district, "weekday": ["2"], "max_price": "60"},
        ),
        Kind("sort price", {"sort": "price"}),
        Kind("sort price desc", {"sort": "-price"}),
        Kind("sort newest", {"sort": "newest"}),
        Kind("sort vendor", {"sort": "vendor"}),
        Kind("deep page", {"page": last_20 - 1}),
        Kind("page size 100", {"page_size": 100}),
        Kind("deep page, 100, price", {"page_size": 100, "sort": "price", "page": last_100 - 1}),
        Kind("school admin", {"page_size": 50, "grade": 3}, as_admin=True),
    ]


def matching(params: dict) -> int:
    """How many courses match a request's filters (counted apart, untimed)."""
    from django.http import QueryDict

    from marketplace.catalogue.filters import CourseFilter
    from marketplace.catalogue.selectors import catalogue_courses

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return CourseFilter(data, queryset=catalogue_courses()).qs.count()


def run_requests(catalogue: Catalogue, kinds: list[Kind], total: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from people.accounts.models import User

    url = reverse("catalogue:courses")
    visitor, admin = Client(), Client()
    admin.force_login(User.objects.get(email=catalogue.admin_email))
    counter = [0]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    def get(kind: Kind):
        client = admin if kind.as_admin else visitor
        counter[0] = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(url, kind.params)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{kind.name}: HTTP {response.status_code}")
        return response, elapsed, counter[0]

    for kind in kinds:  # warm-up: templates compiled, caches filled, connection opened
        response, _, _ = get(kind)
        kind.rows = response.content.decode().count('data-testid="course-card"')
        kind.total = matching(kind.params)
    gc.collect()  # the generator's garbage is not the list view's: start the timing clean
    for n in range(total):
        kind = kinds[n % len(kinds)]
        _, elapsed, queries = get(kind)
        kind.seconds.append(elapsed)
        kind.queries.add(queries)


# --- the report --------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version}"
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
    }


def format_report(catalogue: Catalogue, kinds: list[Kind], about: dict) -> str:
    lines = [
        f"{about['database']} · Python {about['python']} · Django {about['django']} · "
        f"{about['cores']} cores ({about['cpu']}), load average {' '.join(map(str, about['load_average']))}",
        "data: "
        + ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in catalogue.counts.items())
        + f"; {catalogue.listed} listed; generated in {catalogue.seconds:.1f} s",
        "",
    ]
    header = ("request", "n", "rows", "matching", "queries", "p50 ms", "p95 ms", "max ms")
    table = [header]
    for kind in kinds:
        stats = kind.stats()
        table.append(
            (
                kind.name,
                str(stats["requests"]),
                str(kind.rows),
                str(kind.total),
                "/".join(str(q) for q in sorted(kind.queries)),
                f"{stats['p50_ms']:.1f}",
                f"{stats['p95_ms']:.1f}",
                f"{stats['max_ms']:.1f}",
            )
        )
    everything = [s for kind in kinds for s in kind.seconds]
    overall = timing(everything)
    table.append(
        ("all", str(len(everything)), "", "", "", f"{overall['p50_ms']:.1f}", f"{overall['p95_ms']:.1f}",
         f"{overall['max_ms']:.1f}")
    )  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]

    def line(row):
        return "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    lines += [line(table[0]), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in table[1:-1]]
    lines += ["  ".join("-" * w for w in widths), line(table[-1])]
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.catalogue", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--courses", type=int, default=10_000, help="approved courses listed (default 10000)")
    parser.add_argument("--vendors", type=int, default=300, help="approved vendors (default 300)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.courses < 1 or args.vendors < 1 or args.requests < 1:
        parser.error("--courses, --vendors and --requests must be positive")

    import django

    django.setup()
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        path = os.path.join(tempfile.gettempdir(), f"catalogue-bench-{os.getpid()}.sqlite3")
        settings_dict.setdefault("TEST", {})["NAME"] = path

    print("creating and migrating a fresh database...", file=sys.stderr, flush=True)
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        print(f"database {connections['default'].settings_dict['NAME']}", file=sys.stderr, flush=True)
        catalogue = populate(courses=args.courses, vendors=args.vendors, seed=args.seed)
        print(f"generated in {catalogue.seconds:.1f} s; requesting...", file=sys.stderr, flush=True)
        kinds = request_kinds(catalogue)
        run_requests(catalogue, kinds, args.requests)
        about = machine()
        print(format_report(catalogue, kinds, about))
        if args.json:
            everything = [s for kind in kinds for s in kind.seconds]
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(
                    {
                        "machine": about,
                        "seed": args.seed,
                        "counts": catalogue.counts,
                        "listed": catalogue.listed,
                        "kinds": [kind.stats() for kind in kinds],
                        "overall": timing(everything),
                    },
                    handle,
                    ensure_ascii=False,
                    indent=1,
                )
                handle.write("\n")
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    unstable = [kind.name for kind in kinds if len(kind.queries) > 1]
    if unstable:
        print(f"query count varies within: {', '.join(unstable)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
