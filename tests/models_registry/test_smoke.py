from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel


def test_published_model_is_served_under_its_movement(client, unit_tree, dvk):
    model = PracticeModelFactory(title="Tổ dân phố văn minh", unit=unit_tree.dich_vong, movement=dvk)
    assert model.live
    assert model.slug == "to-dan-pho-van-minh"
    assert model.url == "/dan-van-kheo/to-dan-pho-van-minh/"
    assert PracticeModel.objects.under(unit_tree.cau_giay).count() == 1
    assert PracticeModel.objects.under(unit_tree.dong_da).count() == 0


def test_a_repeated_title_gets_the_next_free_number_and_other_slugs_are_ignored(
    unit_tree, dvk, django_assert_num_queries
):
    from models_registry.services import unique_slug

    for slug in ("to-dan-pho", "to-dan-pho-2", "to-dan-pho-3", "to-dan-pho-xanh", "to-dan-phoa", "to-dan-pho_1"):
        PracticeModelFactory(title="Tổ dân phố", slug=slug, unit=unit_tree.dich_vong, movement=dvk)
    # Only "to-dan-pho" and "to-dan-pho-N" are in the way, read in one query (from the slug's index).
    with django_assert_num_queries(1):
        assert unique_slug(title="Tổ dân phố") == "to-dan-pho-4"
    assert unique_slug(title="Tổ dân phố xanh") == "to-dan-pho-xanh-2"
    assert unique_slug(title="Tổ dân phố đẹp") == "to-dan-pho-dep"
    own = PracticeModel.objects.get(slug="to-dan-pho-3")
    assert unique_slug(title="Tổ dân phố", exclude_pk=own.pk) == "to-dan-pho-3"
