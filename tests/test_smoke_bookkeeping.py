from tests.support import catalog_differences, catalog_of, postgres_reference, upgrade


def test_empty_chain_creates_golang_migrate_bookkeeping(postgres_url):
    upgrade(postgres_url, "base")
    assert catalog_differences(postgres_reference(0), catalog_of(postgres_url)) == []
