import pytest

# The given/when/then helpers assert on behalf of the tests: show pytest's diffs for them too.
pytest.register_assert_rewrite("tests.unit.gwt")
