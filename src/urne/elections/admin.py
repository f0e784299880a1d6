from django.contrib import admin

from urne.backoffice.admin_audit import AuditedAdmin

from . import models


@admin.register(models.Election)
class ElectionAdmin(AuditedAdmin):
    list_display = ["name", "style", "vote_opens", "vote_closes", "rolls_published_at"]
    readonly_fields = ["rolls_published_at"]


@admin.register(models.Body)
class BodyAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "election"]
    list_filter = ["election", "level"]


@admin.register(models.Scrutin)
class ScrutinAdmin(AuditedAdmin):
    list_display = ["__str__", "level", "titular_seats", "substitute_seats", "uuid"]
    list_filter = ["election", "body"]
    readonly_fields = ["uuid"]


@admin.register(models.VoterCategory)
class VoterCategoryAdmin(AuditedAdmin):
    list_display = ["name", "election"]
    filter_horizontal = ["bodies"]


@admin.register(models.Voter)
class VoterAdmin(AuditedAdmin):
    list_display = ["numen", "last_name", "first_name", "category", "academie", "departement"]
    list_filter = ["election", "category"]
    search_fields = ["numen", "last_name", "email"]
    show_full_result_count = False  # counting a million rows on every page is wasteful


class ListUnionInline(admin.TabularInline):
    model = models.ListUnion
    extra = 0


class CandidateInline(admin.TabularInline):
    model = models.Candidate
    extra = 0


@admin.register(models.CandidateList)
class CandidateListAdmin(AuditedAdmin):
    list_display = ["label", "scrutin"]
    list_filter = ["scrutin__body"]
    inlines = [ListUnionInline, CandidateInline]


@admin.register(models.Union)
class UnionAdmin(AuditedAdmin):
    list_display = ["acronym", "name", "election"]


@admin.register(models.Complaint)
class ComplaintAdmin(AuditedAdmin):
    list_display = ["subject", "status", "created_at"]
    list_filter = ["status"]
