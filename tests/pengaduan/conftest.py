from usulan.conftest import kel  # noqa: F401 -- fixtures
from web.conftest import _fresh_cache, world  # noqa: F401 -- fixtures
