from .models import MovementPage


def navigation(request):
    """The movements for the site's main menu (one small query per public page)."""
    if request.path.startswith("/admin/"):
        return {}
    movements = MovementPage.objects.live().public().order_by("path").only("title", "slug", "url_path")
    items = []
    for page in movements:
        url = page.get_url(request)
        items.append({"title": page.title, "url": url, "current": bool(url) and request.path.startswith(url)})
    return {"nav_movements": items}
