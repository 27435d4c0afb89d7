"""Demo data (PLT-6): a whole company seeded into an empty store, internally consistent.

Seeds the tiny XS scale once per backend (SQLite, and PostgreSQL where configured) and checks
the rules a user of the demo would trip over if they were broken."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import bcrypt
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.schema import CreateSchema, DropSchema

from core import db as core_db
from core.demo import PASSWORD, StoreNotEmpty, seed_demo
from core.models import (
    ApprovalCategory,
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStep,
    AppSetting,
    Base,
    Contract,
    ContractLine,
    Customer,
    Department,
    FollowUp,
    Lead,
    NumberingCounter,
    NumberingRule,
    Opportunity,
    OpportunityStageChange,
    PoolEvent,
    Receivable,
    ReceivablePlan,
    SalesTarget,
    Stage,
    User,
)
from core.permissions import load_actor
from tests.conftest import PG_URL, skip_or_fail

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    """(url, progress calls) of a store seeded at scale XS."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
        schema = None
    else:
        if not PG_URL:
            skip_or_fail("PostgreSQL tests need CRM_TEST_POSTGRES_URL (CI sets it)")
        schema = f"demo_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(CreateSchema(schema))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    calls: list[tuple[float, str]] = []
    seed_demo(url=url, scale="XS", seed=7, progress=lambda f, m: calls.append((f, m)))
    yield url, calls
    core_db.dispose_engines()
    if schema:
        with admin.begin() as conn:
            conn.execute(DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture
def s(demo):
    with core_db.session_factory(demo[0])() as session:
        yield session


def test_every_table_has_rows(s):
    empty = [
        t.name
        for t in Base.metadata.sorted_tables
        if not s.scalar(select(func.count()).select_from(t))
    ]
    assert empty == []


def test_demo_accounts_log_in_with_the_demo_password(s):
    expected = {
        "admin": ("super_admin", "总经办"),
        "manager": ("sales_manager", "销售部"),
        "sales1": ("sales_rep", "销售部"),
        "sales2": ("sales_rep", "销售部"),
        "office": ("office_staff", "行政部"),
    }
    for username, (role, department) in expected.items():
        user = s.scalar(select(User).where(User.username == username))
        assert bcrypt.checkpw(PASSWORD.encode(), user.password_hash.encode())
        assert user.is_demo and user.is_active
        assert [r.code for r in user.roles] == [role]
        assert s.get(Department, user.department_id).name == department
    hashes = set(s.scalars(select(User.password_hash)))
    assert len(hashes) == 1  # hashed once, reused


def test_manager_heads_the_sales_tree_and_sales_reps_report_to_manager(s):
    manager = s.scalar(select(User).where(User.username == "manager"))
    sales = s.scalar(select(Department).where(Department.name == "销售部"))
    assert sales.head_id == manager.id
    for name in ("sales1", "sales2"):
        rep = s.scalar(select(User).where(User.username == name))
        assert rep.superior_id == manager.id
    actor = load_actor(s, manager.id)
    seen = actor.owner_ids("crm.customer.view")
    sellers = s.scalars(
        select(User.id).join(User.roles).where(User.roles.any(code="sales_rep"))
    ).all()
    assert set(sellers) <= seen
    office = s.scalar(select(User.id).where(User.username == "office"))
    assert office not in seen


def test_every_department_head_is_the_superior_of_its_members(s):
    departments = {d.id: d for d in s.scalars(select(Department))}
    regions = [d for d in departments.values() if d.name.endswith("大区")]
    assert regions and all(departments[r.parent_id].name == "销售部" for r in regions)
    assert any(d.parent_id in {r.id for r in regions} for d in departments.values())
    for user in s.scalars(select(User)):
        dep = departments[user.department_id]
        if dep.head_id == user.id:
            parent = departments.get(dep.parent_id)
            assert user.superior_id == (parent.head_id if parent else None)
        else:
            assert user.superior_id == dep.head_id


def test_dealt_customers_have_an_approved_contract_and_the_others_none(s):
    approved = (
        select(Contract.customer_id)
        .where(Contract.approval_status == "approved")
        .distinct()
        .scalar_subquery()
    )
    dealt_without = s.scalar(
        select(func.count()).where(Customer.is_dealt.is_(True), Customer.id.not_in(approved))
    )
    undealt_with = s.scalar(
        select(func.count()).where(Customer.is_dealt.is_(False), Customer.id.in_(approved))
    )
    assert s.scalar(select(func.count()).where(Customer.is_dealt.is_(True))) > 0
    assert (dealt_without, undealt_with) == (0, 0)
    assert s.scalar(select(func.count()).where(Customer.is_dealt, Customer.dealt_at.is_(None))) == 0


def test_contract_amount_is_the_sum_of_its_lines_after_discounts(s):
    lines = defaultdict(list)
    for line in s.scalars(select(ContractLine)):
        assert line.subtotal == _money(
            line.price * line.quantity * (100 - line.discount_rate) / 100
        )
        lines[line.contract_id].append(line.subtotal)
    contracts = s.scalars(select(Contract)).all()
    assert contracts
    for contract in contracts:
        assert isinstance(contract.amount, Decimal) and contract.amount.as_tuple().exponent == -2
        expected = _money(sum(lines[contract.id]) * (100 - contract.discount_rate) / 100)
        assert contract.amount == expected, contract.number


def test_received_amount_is_the_approved_receivables_and_never_exceeds_the_contract(s):
    paid = defaultdict(Decimal)
    for r in s.scalars(select(Receivable).where(Receivable.approval_status == "approved")):
        paid[r.contract_id] += r.amount
    for contract in s.scalars(select(Contract)):
        assert contract.received_amount == paid.get(contract.id, Decimal("0.00"))
        assert contract.received_amount <= contract.amount
        if contract.approval_status != "approved":
            assert contract.received_amount == 0
    assert paid


def test_plan_status_follows_its_approved_receivables(s):
    paid = defaultdict(Decimal)
    for r in s.scalars(select(Receivable).where(Receivable.approval_status == "approved")):
        paid[r.plan_id] += r.amount
    plans = s.scalars(select(ReceivablePlan)).all()
    by_contract = defaultdict(Decimal)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for plan in plans:
        got = paid.get(plan.id, Decimal("0"))
        by_contract[plan.contract_id] += plan.planned_amount
        if got == 0:
            assert plan.status in ("overdue", "to_collect")
            assert plan.status != "overdue" or plan.planned_date < tomorrow
        else:
            assert plan.status == ("done" if got == plan.planned_amount else "partial")
    for contract_id, planned in by_contract.items():
        assert s.get(Contract, contract_id).amount == planned
    assert {p.status for p in plans} >= {"done", "overdue", "to_collect"}


def test_stage_history_is_ordered_and_ends_at_the_current_stage_and_status(s):
    changes = defaultdict(list)
    for c in s.scalars(select(OpportunityStageChange).order_by(OpportunityStageChange.id)):
        changes[c.opportunity_id].append(c)
    stage_group = dict(s.execute(select(Stage.id, Stage.group_id)).all())
    opportunities = s.scalars(select(Opportunity)).all()
    assert {o.status for o in opportunities} == {"open", "won", "lost", "invalid"}
    for opp in opportunities:
        history = changes[opp.id]
        times = [c.changed_at for c in history]
        assert times == sorted(times) and times[0] == opp.created_at
        assert history[0].from_stage_id is None
        assert (history[-1].to_stage_id, history[-1].to_status) == (opp.stage_id, opp.status)
        assert stage_group[opp.stage_id] == opp.stage_group_id
        if opp.status != "open":
            assert opp.closed_at == times[-1]


def test_follow_up_authors_could_see_the_record(s):
    superior = dict(s.execute(select(User.id, User.superior_id)).all())
    owner = dict(s.execute(select(Customer.id, Customer.owner_id)).all())
    lead_owner = dict(s.execute(select(Lead.id, Lead.owner_id)).all())
    released = dict(
        s.execute(
            select(PoolEvent.customer_id, PoolEvent.from_owner_id).where(
                PoolEvent.kind.in_(["release", "recall"])
            )
        ).all()
    )
    checked = 0
    for f in s.scalars(select(FollowUp)):
        if f.subject_type == "lead":
            holder = lead_owner[f.subject_id]
        else:
            holder = owner[f.customer_id] or released[f.customer_id]
        assert f.owner_id in (holder, superior[holder]), (f.subject_type, f.id)
        checked += 1
    assert checked > 100


def test_pool_customers_have_no_owner_and_a_release_in_their_history(s):
    pool = s.scalars(select(Customer).where(Customer.pool_id.is_not(None))).all()
    assert pool
    for customer in pool:
        assert customer.owner_id is None and not customer.is_dealt
        event = s.scalar(select(PoolEvent).where(PoolEvent.customer_id == customer.id))
        assert event.kind in ("release", "recall") and event.to_owner_id is None
    owned = select(func.count()).where(Customer.owner_id.is_(None), Customer.pool_id.is_(None))
    assert s.scalar(owned) == 0


def _allowed(step: ApprovalStep, request: ApprovalRequest, superior: dict, admin: int):
    if step.approver_kind == "superior":
        return {superior[request.owner_id] or admin}
    if step.approver_kind == "chosen":
        return set(request.chosen_approver_ids)
    return set(step.approver_user_ids)


def test_approvals_are_decided_by_the_right_people_in_step_order(s):
    superior = dict(s.execute(select(User.id, User.superior_id)).all())
    admin = s.scalar(select(User.id).where(User.username == "admin"))
    steps = defaultdict(list)
    for step in s.scalars(select(ApprovalStep).order_by(ApprovalStep.position)):
        steps[step.flow_id].append(step)
    decisions = defaultdict(list)
    for d in s.scalars(select(ApprovalDecision).order_by(ApprovalDecision.decided_at)):
        decisions[d.request_id].append(d)
    for request in s.scalars(select(ApprovalRequest)):
        flow, made = steps[request.flow_id], decisions[request.id]
        assert [d.step_position for d in made] == sorted(d.step_position for d in made)
        for d in made:
            assert d.approver_id in _allowed(flow[d.step_position - 1], request, superior, admin)
            assert request.submitted_at <= d.decided_at
        rejected = [d for d in made if d.decision == "rejected"]
        done = {d.step_position for d in made if d.decision == "approved"}
        match request.status:
            case "draft":
                assert not made and request.submitted_at is None
            case "approved":
                assert not rejected and done == set(range(1, len(flow) + 1))
                for step in flow:
                    if step.mode == "all":
                        who = {d.approver_id for d in made if d.step_position == step.position}
                        assert who == set(step.approver_user_ids)
                assert request.finished_at == made[-1].decided_at
            case "rejected":
                assert len(rejected) == 1 and rejected[0] is made[-1]
            case "pending":
                assert not rejected and request.current_step == len(done) + 1
            case "withdrawn":
                assert not rejected and request.finished_at is not None


def test_every_approval_category_has_a_flow_and_requests(s):
    categories = s.scalars(select(ApprovalCategory)).all()
    for category in categories:
        flow = s.scalar(select(ApprovalFlow).where(ApprovalFlow.category_id == category.id))
        assert s.scalar(select(func.count()).where(ApprovalStep.flow_id == flow.id)) > 0
        statuses = set(
            s.scalars(
                select(ApprovalRequest.status).where(ApprovalRequest.category_id == category.id)
            )
        )
        assert "approved" in statuses, category.code


def test_contracts_and_receivables_carry_the_status_of_their_approval(s):
    for model, kind in ((Contract, "contract"), (Receivable, "receivable")):
        rows = s.execute(
            select(
                model.id, model.approval_status, ApprovalRequest.status, ApprovalRequest.subject_id
            ).join(ApprovalRequest, ApprovalRequest.id == model.approval_request_id)
        ).all()
        assert rows
        for record_id, status, request_status, subject_id in rows:
            assert (status, subject_id) == (request_status, record_id)
        drafts = s.scalar(
            select(func.count()).where(
                model.approval_request_id.is_(None), model.approval_status != "draft"
            )
        )
        assert drafts == 0, kind


def test_dates_lie_in_the_last_two_years_and_nothing_is_updated_before_it_was_created(s):
    today = dt.date.today()
    first, last = s.execute(
        select(func.min(Contract.order_date), func.max(Contract.order_date))
    ).one()
    assert today - dt.timedelta(days=731) <= first and last <= today
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=1)
    for table in Base.metadata.sorted_tables:
        if "created_at" in table.c and "updated_at" in table.c:
            bad = select(func.count()).where(table.c.created_at > table.c.updated_at)
            assert s.scalar(bad) == 0, table.name
            assert s.scalar(select(func.max(table.c.created_at))) <= now, table.name


def test_numbers_are_unique_and_the_counters_continue_after_them(s):
    numbers = s.scalars(select(Contract.number)).all()
    assert len(numbers) == len(set(numbers)) and all(n.startswith("HT") for n in numbers)
    per_day = defaultdict(int)
    for number in numbers:
        per_day[number[2:10]] += 1
    rule = s.scalar(select(NumberingRule.id).where(NumberingRule.entity == "contract"))
    counters = {
        c.period_key: c.value
        for c in s.scalars(select(NumberingCounter).where(NumberingCounter.rule_id == rule))
    }
    assert counters == dict(per_day)


def test_targets_exist_per_month_for_sellers_and_sales_departments(s):
    year = dt.date.today().year
    users = s.scalar(
        select(func.count(SalesTarget.user_id.distinct())).where(SalesTarget.year == year)
    )
    departments = s.scalar(
        select(func.count(SalesTarget.department_id.distinct())).where(SalesTarget.year == year)
    )
    months = set(s.scalars(select(SalesTarget.month).where(SalesTarget.year == year)))
    assert users >= 4 and departments >= 3 and months == set(range(1, 13))


def test_customers_and_leads_carry_the_duplicate_check_keys_of_their_names_and_phones(s):
    from core.match_keys import keys_for

    for model, table, sources in (
        (Customer, "customers", ("name", "phone")),
        (Lead, "leads", ("name", "company", "phone", "mobile")),
    ):
        keys = list(keys_for(table, dict.fromkeys(sources, "")))
        columns = [getattr(model, c) for c in (*sources, *keys)]
        wrong = [
            row
            for row in s.execute(select(*columns))
            if keys_for(table, dict(zip(sources, row, strict=False)))
            != dict(zip(keys, row[len(sources) :], strict=True))
        ]
        assert s.scalar(select(func.count()).select_from(model)) > 0 and wrong == []


def test_the_store_accepts_new_records_after_the_demo(demo, s):
    customer = Customer(name="新客户", owner_id=1)
    s.add(customer)
    s.commit()
    assert customer.id == s.scalar(select(func.max(Customer.id)))


def test_seeding_again_is_refused_and_the_store_is_marked_as_demo(demo, s):
    with pytest.raises(StoreNotEmpty):
        seed_demo(url=demo[0], scale="XS")
    assert s.get(AppSetting, "demo_data").value == "XS"


def test_progress_runs_from_zero_to_one_with_messages(demo):
    fractions = [f for f, _ in demo[1]]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(message for _, message in demo[1])


def test_command_line_seeds_an_empty_store_and_refuses_a_second_time(tmp_path, capsys):
    from core.demo.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--scale", "xs", "--seed", "3", "--url", url]) == 0
    assert "Demo@2026" in capsys.readouterr().out
    assert main(["--scale", "XS", "--url", url]) == 2
    assert "已有用户" in capsys.readouterr().err
    core_db.dispose_engines()
