"""Invoice, payment and realisation pages (names in the ``web`` namespace; included from sigap.web.urls)."""

from django.urls import path

from sigap.billing import views

urlpatterns = [
    path("keuangan/<int:programme_id>/tagihan/", views.invoice_list, name="invoice-list"),
    path("keuangan/tagihan/<int:invoice_id>/", views.invoice_detail, name="invoice-detail"),
    path("keuangan/<int:programme_id>/pembayaran/", views.payment_list, name="payment-list"),
    path("keuangan/<int:programme_id>/realisasi/", views.realisation_page, name="realisation"),
]
