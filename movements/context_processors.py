from .models import MovementPage


def navigation(request):
    """The movements for the site's main menu (one small query per public page)."""
    if request.path.startswith("/admin/"):
        return {}
    movements = MovementPage.objects.live().public().order_by("path").only("title", "slug", "url_path")
    return {"nav_movements": [{"title": page.title, "url": page.get_url(request)} for page in movements]}
