from django.contrib import admin

from standard.models import Point, StandardVersion


class PointInline(admin.StackedInline):
    model = Point
    extra = 0


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "published_on", "is_current"]
    list_filter = ["is_current"]
    inlines = [PointInline]


@admin.register(Point)
class PointAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "version"]
    list_filter = ["version"]
    search_fields = ["short_title", "statement"]
    ordering = ["version", "number"]
