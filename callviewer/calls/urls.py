from django.urls import path

from . import analysis_views, detail_views, search_views

app_name = "calls"

urlpatterns = [
    path("", search_views.search, name="search"),
    path("export.csv", search_views.export_csv, name="export"),
    path("<str:sid>/", detail_views.call_detail, name="detail"),
    path("<str:sid>/status/", detail_views.call_status, name="status"),
    path("<str:sid>/other-calls/", detail_views.other_calls, name="other_calls"),
    path("<str:sid>/recordings/<int:n>/", detail_views.recording, name="recording"),
    path("<str:sid>/analysis/", analysis_views.call_analysis, name="analysis"),
    path("<str:sid>/ask/", analysis_views.ask_question, name="ask"),
    path(
        "<str:sid>/recordings/<int:n>/transcripts/",
        analysis_views.transcripts,
        name="transcripts",
    ),
]
