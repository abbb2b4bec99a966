import pytest

from tests.attendance import build_world


@pytest.fixture
def world(db):
    return build_world()
