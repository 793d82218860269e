"""Document numbers: per org, prefix and year, consecutive, gap-free under rollback and concurrency."""

import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection, transaction

from houqin.core import numbering
from houqin.core.models import NumberSequence
from houqin.core.numbering import NUMBER_TZ
from houqin.core.tenancy import org_scope


@pytest.mark.django_db
def test_numbers_are_consecutive_within_a_prefix_and_year(world):
    numbers = [numbering.allocate(world.org_a, "BX", on=date(2026, 3, 5)) for _ in range(3)]
    assert numbers == ["BX-2026-00001", "BX-2026-00002", "BX-2026-00003"]


@pytest.mark.django_db
def test_orgs_prefixes_and_years_count_separately(world):
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 1, 1)) == "BX-2026-00001"
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 1, 2)) == "BX-2026-00002"
    assert numbering.allocate(world.org_b, "BX", on=date(2026, 1, 2)) == "BX-2026-00001"
    assert numbering.allocate(world.org_a, "CG", on=date(2026, 1, 2)) == "CG-2026-00001"
    assert numbering.allocate(world.org_a, "BX", on=date(2027, 1, 1)) == "BX-2027-00001"
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 12, 31)) == "BX-2026-00003"


@pytest.mark.django_db
def test_the_year_is_the_year_in_china(world):
    # 2026-12-31 17:00 UTC is already 2027-01-01 01:00 in Shanghai.
    with time_machine.travel(datetime(2026, 12, 31, 17, 0, tzinfo=UTC), tick=False):
        assert numbering.allocate(world.org_a, "BX") == "BX-2027-00001"
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=NUMBER_TZ), tick=False):
        assert numbering.allocate(world.org_a, "BX") == "BX-2027-00002"


@pytest.mark.django_db
def test_a_rolled_back_save_gives_its_number_back(world):
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 5, 1)) == "BX-2026-00001"
    with pytest.raises(RuntimeError, match="record refused"), transaction.atomic():
        assert numbering.allocate(world.org_a, "BX", on=date(2026, 5, 1)) == "BX-2026-00002"
        raise RuntimeError("record refused")
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 5, 1)) == "BX-2026-00002"


@pytest.mark.django_db
def test_a_first_number_rolled_back_leaves_no_gap_either(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.allocate(world.org_a, "PD", on=date(2026, 5, 1))
        raise RuntimeError
    assert numbering.allocate(world.org_a, "PD", on=date(2026, 5, 1)) == "PD-2026-00001"


def test_it_refuses_to_number_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        numbering.allocate(object(), "BX")


@pytest.mark.django_db
def test_kept_codes_push_the_sequence_past_them(world):
    numbering.allocate(world.org_a, "BX", on=date(2026, 2, 1))
    numbering.keep(world.org_a, "BX", "BX-2026-00100")
    numbering.keep(world.org_a, "BX", "BX-2026-00042")  # lower than what is kept already: no step back
    numbering.keep(world.org_a, "BX", "BX-2025-00007")
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 2, 1)) == "BX-2026-00101"
    assert numbering.allocate(world.org_a, "BX", on=date(2025, 2, 1)) == "BX-2025-00008"


@pytest.mark.django_db
def test_codes_of_another_form_are_kept_without_touching_the_sequence(world):
    for code in ("旧-0001", "BX2026-00500", "CG-2026-00500", "BX-26-00500", "BX-2026-"):
        numbering.keep(world.org_a, "BX", code)
    with org_scope(world.org_a):
        assert not NumberSequence.objects.filter(prefix="BX").exists()
    assert numbering.allocate(world.org_a, "BX", on=date(2026, 2, 1)) == "BX-2026-00001"


THREADS = 16


@pytest.mark.pg_only
@pytest.mark.django_db(transaction=True)
def test_sixteen_people_saving_at_once_get_sixteen_consecutive_numbers(world):
    barrier = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def save_one():
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(numbering.allocate(world.org_a, "BX", on=date(2026, 6, 1)))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save_one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == ["BX-2026-{:05d}".format(n) for n in range(1, THREADS + 1)]
