"""The page shown when a form arrives without a valid CSRF token (a forged or expired form)."""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """Nothing was saved; say so plainly and tell the user how to retry. `reason` is Django's
    technical reason: kept out of the page, which stays the same for every failure."""
    return render(request, "403_csrf.html", {}, status=403)
