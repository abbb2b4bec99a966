"""Money pages: payees' payouts and statements, a family's held money, the bureau's overview,
and a family's withdrawal from an activity (which shows what it refunds).

The ledger is only read here (``selectors``, ``services.held_in``); the withdrawal is the
enrolment app's (``enrolment_withdraw``), whose signal makes the ledger refund. Another
tenant's vendor, school, payout or enrolment is a 404 (the access helpers).
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

import schools.selectors as school_reads
from core.exports import csv_response
from core.money import money
from marketplace.billing.selectors import waiver_shares
from marketplace.enrolment import services as enrolment_services
from marketplace.enrolment.models import Enrolment
from marketplace.enrolment.selectors import LIVE_STATUSES
from marketplace.households.access import household_for_user_or_404
from marketplace.households.selectors import household_of_user
from marketplace.ledger import selectors
from marketplace.ledger.services import held_in
from marketplace.vendors.access import vendor_for_user_or_404
from marketplace.vendors.selectors import vendors_for_officer
from people.roles.access import bureau_covers_district, bureau_district_ids, require_role
from people.roles.models import Role
from schools.access import school_for_user_or_404

PAYOUTS_PER_PAGE = 50


def mask_name(name: str) -> str:
    """A child's name for eyes outside the school: 张小明 → 张*明, 李明 → 李*, 王 → *."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- payees: a vendor, or a school for its own services ------------------------------------


def _vendor(request, vendor_id: int):
    """The vendor for its members and for bureau officers covering it; whether names show."""
    vendor = vendor_for_user_or_404(request.user, vendor_id, bureau=True)
    # Vendors see children's names masked; the bureau, which oversees the families, in full.
    return vendor, bureau_covers_district(request.user, vendor.district_id)


def _payouts_page(request, *, payee, balance, payouts, payout_url_name, payee_kind, full_names=True):
    page = Paginator(payouts, PAYOUTS_PER_PAGE).get_page(request.GET.get("page"))
    # Waivers on vendors' activities: who bears each (the vendor, or the school, which then
    # owes the vendor the waived part).
    shares = waiver_shares(**{payee_kind: payee})
    if payee_kind == "school":
        shares = [share for share in shares if share.borne_by_school]
    waivers = [
        {
            "share": share,
            "child_name": share.waiver.child.name if full_names else mask_name(share.waiver.child.name),
        }
        for share in shares
    ]
    context = {
        "payee": payee,
        "payee_kind": payee_kind,
        "balance": balance,
        "page": page,
        "payout_url_name": payout_url_name,
        "waivers": waivers,
        "waived_by_vendor": money(sum((s.amount for s in shares if not s.borne_by_school), Decimal("0"))),
        "owed_by_school": money(sum((s.amount for s in shares if s.borne_by_school), Decimal("0"))),
    }
    return render(request, "ledger/payouts.html", context)


def _statement_csv(payout, lines, *, full_names: bool) -> HttpResponse:
    # Amounts go as Decimals (numbers, not text), so a negative one is not taken for a formula.
    rows = [
        [
            line.date.isoformat(),
            line.activity.name if line.activity else _("Supervised study"),
            line.child.name if full_names else mask_name(line.child.name),
            money(line.amount),
        ]
        for line in lines
    ]
    rows.append([_("Total"), "", "", money(payout.amount)])
    return csv_response(
        f"payout-{payout.for_date}-{payout.pk}",
        rows,
        header=[_("Session date"), _("Activity"), _("Child"), _("Amount (yuan)")],
    )


def _payout_page(request, *, payee, payout, full_names: bool, back_url_name, payee_kind):
    if payout is None:
        raise Http404("No such payout for this payee")
    lines = selectors.payout_statement_lines(payout)
    if request.GET.get("format") == "csv":
        return _statement_csv(payout, lines, full_names=full_names)
    rows = [
        {"line": line, "child_name": line.child.name if full_names else mask_name(line.child.name)}
        for line in lines
    ]
    context = {
        "payee": payee,
        "payee_kind": payee_kind,
        "payout": payout,
        "rows": rows,
        "back_url_name": back_url_name,
        "full_names": full_names,
    }
    return render(request, "ledger/payout.html", context)


@login_required
@require_GET
def vendor_payouts(request, vendor_id: int):
    """A vendor's balance (paid, held, released, refunded, settled, owed) and its payouts."""
    vendor, full_names = _vendor(request, vendor_id)
    return _payouts_page(
        request,
        payee=vendor,
        balance=selectors.vendor_balance(vendor),
        payouts=selectors.payouts_for(vendor=vendor),
        payout_url_name="ledger:vendor_payout",
        payee_kind="vendor",
        full_names=full_names,
    )


@login_required
@require_GET
def vendor_payout(request, vendor_id: int, payout_id: int):
    """One payout's statement (``?format=csv`` downloads it); children masked for the vendor."""
    vendor, full_names = _vendor(request, vendor_id)
    return _payout_page(
        request,
        payee=vendor,
        payout=selectors.payout_for_payee(payout_id=payout_id, vendor=vendor),
        full_names=full_names,
        back_url_name="ledger:vendor_payouts",
        payee_kind="vendor",
    )


@login_required
@require_GET
def school_payouts(request, school_id: int):
    """The school's own services as a payee (supervised study, staff-run activities)."""
    school = school_for_user_or_404(request.user, school_id)
    return _payouts_page(
        request,
        payee=school,
        balance=selectors.school_service_balance(school),
        payouts=selectors.payouts_for(school=school),
        payout_url_name="ledger:school_payout",
        payee_kind="school",
    )


@login_required
@require_GET
def school_payout(request, school_id: int, payout_id: int):
    """One of the school's payouts; its administrators see their pupils' names in full."""
    school = school_for_user_or_404(request.user, school_id)
    return _payout_page(
        request,
        payee=school,
        payout=selectors.payout_for_payee(payout_id=payout_id, school=school),
        full_names=True,
        back_url_name="ledger:school_payouts",
        payee_kind="school",
    )


# --- families ------------------------------------------------------------------------------


@login_required
@require_GET
def household(request):
    """The signed-in parent's household: per child and account, paid, held, delivered, refunded."""
    home = household_of_user(request.user)
    if home is None:
        raise Http404("This account has no household")
    children: dict[int, dict] = {}
    for account in selectors.household_accounts(home):
        item = children.setdefault(
            account.child.pk, {"child": account.child, "accounts": [], "total": selectors.Balance()}
        )
        item["accounts"].append(account)
        for kind in ("paid", "released", "refunded", "settled"):
            item["total"].add(kind, getattr(account.balance, kind))
        item["total"].refund_owed += account.balance.refund_owed
    context = {
        "household": home,
        "children": list(children.values()),
        "total": selectors.household_total(home),
    }
    return render(request, "ledger/household.html", context)


def _withdrawal_consequences(enrolment: Enrolment) -> dict:
    """What withdrawing ``enrolment`` would do, for the confirmation page: whether a place is
    given up, whether a child on the waiting list gets it, and the money still held for the
    child in the activity (the undelivered sessions, refunded on withdrawal)."""
    placed = enrolment.status == Enrolment.Status.PLACED
    live = enrolment.status in LIVE_STATUSES
    return {
        "enrolment": enrolment,
        "live": live,
        "placed": placed,
        "waiting": Enrolment.objects.filter(
            activity_id=enrolment.activity_id, status=Enrolment.Status.WAITING
        ).count()
        if placed
        else 0,
        "refund": held_in(child=enrolment.child, activity=enrolment.activity) if live else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, household_id: int, enrolment_id: int):
    """Withdraw one of the household's placed or waiting enrolments, in two steps: GET (or a
    POST without ``confirm``) shows what will happen — who gets the place, what is refunded —
    and only a POST with ``confirm`` withdraws. Another household's enrolment is a 404."""
    family = household_for_user_or_404(request.user, household_id)
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, child__household=family)
        .select_related("child", "activity")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment in this household")
    if request.method == "GET" or not request.POST.get("confirm"):
        return render(
            request,
            "ledger/withdraw_confirm.html",
            {"household": family, **_withdrawal_consequences(enrolment)},
        )
    try:
        enrolment_services.enrolment_withdraw(
            enrolment=enrolment, user=request.user, today=school_reads.today()
        )
    except enrolment_services.EnrolmentError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(child)s has left %(activity)s.")
            % {"child": enrolment.child.name, "activity": enrolment.activity.name},
        )
    return redirect("enrolment:household", family.pk)


# --- the bureau ----------------------------------------------------------------------------

SORTS = {
    "held": (lambda r: (-r.held, r.vendor.name)),
    "owed": (lambda r: (-r.owed, r.vendor.name)),
    "refunds": (lambda r: (-r.refunds_owed, r.vendor.name)),
    "pupils": (lambda r: (-r.pupils_holding, r.vendor.name)),
    "name": (lambda r: (r.vendor.name, r.vendor.pk)),
}


@login_required
@require_GET
def overview(request):
    """For bureau officers: each vendor of their districts with money in the ledger (pupils
    holding, held, owed, refunds owed; sortable, most held first) and the prepaid money held at
    their districts' schools."""
    require_role(request.user, Role.BUREAU_OFFICER)
    sort = request.GET.get("sort", "held")
    if sort not in SORTS:
        sort = "held"
    rows = sorted(selectors.vendor_money(vendors_for_officer(user=request.user)), key=SORTS[sort])
    totals = selectors.VendorMoney(vendor=None)
    for row in rows:
        totals.pupils_holding += row.pupils_holding
        totals.held += row.held
        totals.owed += row.owed
        totals.refunds_owed += row.refunds_owed
    context = {
        "rows": rows,
        "totals": totals,
        "sort": sort,
        "held_at_schools": selectors.held_at_schools(bureau_district_ids(request.user)),
    }
    return render(request, "ledger/overview.html", context)
