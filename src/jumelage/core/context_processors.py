from django.conf import settings


def platform(request):
    return {"JUMELAGE_MODE": settings.MODE}
