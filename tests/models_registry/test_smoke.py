from models_registry.factories import PracticeModelFactory
from models_registry.models import PracticeModel


def test_published_model_is_served_under_its_movement(client, unit_tree, dvk):
    model = PracticeModelFactory(title="Tổ dân phố văn minh", unit=unit_tree.dich_vong, movement=dvk)
    assert model.live
    assert model.slug == "to-dan-pho-van-minh"
    assert model.url == "/dan-van-kheo/to-dan-pho-van-minh/"
    assert PracticeModel.objects.under(unit_tree.cau_giay).count() == 1
    assert PracticeModel.objects.under(unit_tree.dong_da).count() == 0
