"""The learn pages under /learn/ (contract 2.5: the index, then one page per topic)."""

from django.urls import path

from ketacare.public import views_learn

urlpatterns = [
    path("learn/", views_learn.learn_index, name="learn-index"),
    path("learn/<slug:slug>/", views_learn.learn_page, name="learn-page"),
]
