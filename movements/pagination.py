from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator


def paginate(request, queryset, per_page: int | None = None):
    """Paginate `queryset` from `?page=`, clamping a page number that is out of range or not a number.

    The page carries `page_range`: the numbers to link to, with `Paginator.ELLIPSIS` for the gaps.
    """
    paginator = Paginator(queryset, per_page or settings.REGISTRY_PAGE_SIZE)
    number = request.GET.get("page", 1)
    try:
        page = paginator.page(number)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(1 if _below_one(number) else paginator.num_pages)
    page.page_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    page.ellipsis = paginator.ELLIPSIS
    return page


def _below_one(number) -> bool:
    try:
        return int(number) < 1
    except (TypeError, ValueError):
        return True
