"""The public page cache: anonymous visitors get cached pages until the content changes; nobody else does."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

import pytest

from caching.public_pages import (
    DEGRADED_SECONDS,
    HIT_HEADER,
    bump_generation,
    cache_public_page,
    current_generation,
    keep_briefly,
)
from models_registry.factories import CommendationFactory, PracticeModelFactory
from models_registry.models import PracticeModel, Unit


@pytest.fixture
def page_cache(settings):
    """The page cache on (the test settings turn it off), empty before and after."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(unit_tree, dvk, fields):
    return PracticeModelFactory(
        title="Ngõ phố xanh sạch đẹp",
        unit=unit_tree.dich_vong,
        movement=dvk,
        field=fields["van-hoa-xa-hoi"],
        year=2023,
    )


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response


PUBLIC_URLS = [
    "/",
    "/dan-van-kheo/",
    "/dan-van-kheo/?year=2023&sort=newest",
    "/tim-kiem/?q=ngo+pho",
    "/thong-ke/",
    "/don-vi/",
    "/don-vi/HN-CG/",
    "/bang-vinh-danh/",
    "/api/v1/models/?q=xanh",
    "/api/v1/stats/?group_by=field",
    "/api/v1/models/suggest?q=ngo",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_an_anonymous_visitor_gets_the_cached_page(client, page_cache, published, url):
    first = _get(client, url)
    second = _get(client, url)
    assert first[HIT_HEADER] == "miss"
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content


def test_model_page_and_api_detail_are_cached(client, page_cache, published):
    for url in (published.get_url(), f"/api/v1/models/{published.pk}/"):
        assert _get(client, url)[HIT_HEADER] == "miss"
        assert _get(client, url)[HIT_HEADER] == "hit"


def test_a_cached_page_answers_without_rebuilding(client, page_cache, published, django_assert_num_queries):
    _get(client, "/thong-ke/")
    with django_assert_num_queries(1):  # the content generation, nothing else
        assert _get(client, "/thong-ke/")[HIT_HEADER] == "hit"


def test_publishing_replaces_the_cached_pages(client, page_cache, published, unit_tree, dvk):
    url = published.get_url()
    _get(client, url)
    # A write that tells nobody (no publish) is not seen: the page really comes from the cache.
    PracticeModel.objects.filter(pk=published.pk).update(title="Tên đã đổi ngầm")
    assert "Tên đã đổi ngầm" not in _get(client, url).content.decode()
    listing = _get(client, "/dan-van-kheo/").content.decode()
    assert "Mô hình mới được công bố" not in listing

    PracticeModelFactory(title="Mô hình mới được công bố", unit=unit_tree.dong_da, movement=dvk)

    response = _get(client, "/dan-van-kheo/")
    assert response[HIT_HEADER] == "miss"
    assert "Mô hình mới được công bố" in response.content.decode()
    assert "Tên đã đổi ngầm" in _get(client, url).content.decode()


def test_unpublishing_removes_the_cached_model_page(client, page_cache, published):
    url = published.get_url()
    _get(client, url)
    published.unpublish()
    assert client.get(url).status_code == 404


def test_a_commendation_replaces_the_cached_pages(client, page_cache, published):
    before = _get(client, "/bang-vinh-danh/")
    assert "987/QĐ-UBND" not in before.content.decode()
    _get(client, published.get_url())

    CommendationFactory(
        practice_model=published, decision_number="987/QĐ-UBND", decision_date=datetime.date(2024, 3, 1)
    )

    board = _get(client, "/bang-vinh-danh/")
    assert board[HIT_HEADER] == "miss"
    assert "987/QĐ-UBND" in board.content.decode()
    assert _get(client, published.get_url())[HIT_HEADER] == "miss"


def test_renaming_a_unit_replaces_its_cached_page(client, page_cache, published, unit_tree):
    _get(client, "/don-vi/HN-CG/")
    unit = Unit.objects.get(code="HN-CG")
    unit.name = "Quận Cầu Giấy mới"
    unit.save()
    response = _get(client, "/don-vi/HN-CG/")
    assert response[HIT_HEADER] == "miss"
    assert "Quận Cầu Giấy mới" in response.content.decode()


def test_saving_a_draft_keeps_the_cached_pages(page_cache, published):
    generation = current_generation()
    published.title = "Bản nháp chưa duyệt"
    published.save_revision()
    assert current_generation() == generation


def test_a_new_upload_keeps_the_cached_pages_an_edited_photo_replaces_them(page_cache, db):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    generation = current_generation()
    image = Image.objects.create(title="Ảnh mới tải lên", file=get_test_image_file())
    assert current_generation() == generation  # on no published page yet
    image.title = "Ảnh đã sửa"
    image.save()
    assert current_generation() != generation
    generation = current_generation()
    image.delete()
    assert current_generation() != generation


def test_another_process_publishing_is_seen_at_once(client, page_cache, published):
    """The generation lives in the database: a change made by any worker ends every worker's copy."""
    _get(client, "/thong-ke/")
    bump_generation()  # what a publish in another gunicorn worker does to the shared database
    assert _get(client, "/thong-ke/")[HIT_HEADER] == "miss"


def test_query_strings_are_keyed_whatever_their_order(client, page_cache, published):
    _get(client, "/tim-kiem/?q=xanh&year=2023")
    assert _get(client, "/tim-kiem/?year=2023&q=xanh")[HIT_HEADER] == "hit"
    assert _get(client, "/tim-kiem/?q=sach&year=2023")[HIT_HEADER] == "miss"


def test_signed_in_users_never_get_nor_fill_the_cache(client, page_cache, published, users):
    _get(client, "/dan-van-kheo/")  # cached for anonymous visitors
    client.force_login(users.officer)
    response = _get(client, "/dan-van-kheo/")
    assert HIT_HEADER not in response
    response = _get(client, published.get_url())  # a signed-in visit stores nothing either
    assert HIT_HEADER not in response
    client.logout()
    client.cookies.clear()
    assert _get(client, published.get_url())[HIT_HEADER] == "miss"


def test_pending_messages_bypass_the_cache(client, page_cache, published):
    _get(client, "/thong-ke/")
    client.cookies["messages"] = "anything"
    assert HIT_HEADER not in _get(client, "/thong-ke/")


def test_a_page_with_a_csrf_token_or_a_cookie_is_not_stored(page_cache, db):
    factory = RequestFactory()

    @cache_public_page
    def with_form(request):
        return HttpResponse(f"<input name=csrfmiddlewaretoken value={get_token(request)}>")

    @cache_public_page
    def with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    for view in (with_form, with_cookie):
        for _attempt in range(2):
            request = factory.get("/x/")
            request.user = AnonymousUser()
            assert view(request)[HIT_HEADER] == "miss"


def test_how_long_an_answer_is_kept(client, page_cache, published, monkeypatch):
    """The API's max-age is for browsers; here an answer stays until the content changes (or the
    cache's own limit); only an answer its view marked as degraded is kept briefly."""
    kept = []
    real_set = cache.set

    def recording_set(key, value, timeout=None, **kwargs):
        kept.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", recording_set)
    response = _get(client, "/api/v1/models/?q=xanh")
    assert "max-age=60" in response["Cache-Control"]
    assert kept[-1] == 600

    @cache_public_page
    def degraded(request):
        keep_briefly(request)
        return HttpResponse("answered by the database")

    request = RequestFactory().get("/degraded/")
    request.user = AnonymousUser()
    assert degraded(request)[HIT_HEADER] == "miss"
    assert kept[-1] == DEGRADED_SECONDS


def test_the_cache_can_be_turned_off(client, settings, page_cache, published):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    _get(client, "/thong-ke/")
    assert HIT_HEADER not in _get(client, "/thong-ke/")


def test_a_redis_outage_never_fails_a_page(client, settings, published):
    """Nothing listens on port 1: every cache read misses and every write is dropped."""
    settings.CACHES = {
        "default": {
            "BACKEND": "caching.backends.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    for url in ("/dan-van-kheo/", published.get_url(), "/thong-ke/"):
        assert _get(client, url)[HIT_HEADER] == "miss"
        assert _get(client, url)[HIT_HEADER] == "miss"
