from django.contrib.auth import views as auth_views
from django.shortcuts import render

from jumelage.core.forms import LoginForm


def home(request):
    from jumelage.ecosystems.models import Ecosystem

    ecosystems = Ecosystem.objects.order_by("name")
    return render(request, "core/home.html", {"ecosystems": ecosystems})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
