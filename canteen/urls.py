from django.urls import path

from canteen import views

app_name = "canteen"

urlpatterns = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("me/", views.my_meals, name="my-meals"),
    path("me/card/", views.card, name="card"),
    path("me/collectors/", views.collectors, name="collectors"),
    path("me/collectors/<int:pk>/remove/", views.collector_remove, name="collector-remove"),
    path("meals/<int:pk>/", views.receipt, name="receipt"),
    path("counter/", views.counter, name="counter"),
    path("counter/<int:pk>/", views.counter_member, name="counter-member"),
    path("meals/<int:pk>/reverse/", views.reverse_meal, name="reverse-meal"),
    path("staff/week/", views.week_plan, name="week-plan"),
    path("staff/menus/new/", views.menu_edit, name="menu-add"),
    path("staff/menus/<int:pk>/", views.menu_edit, name="menu-edit"),
    path("staff/check-on/", views.check_on, name="check-on"),
    path("staff/settlement/", views.settlement, name="settlement"),
    path("staff/settlement/close/", views.close_month, name="close-month"),
    path("staff/love-meals/", views.love_meals, name="love-meals"),
    path("staff/love-meals/<int:pk>/assign/", views.assign_delivery, name="assign-delivery"),
    path("staff/love-meals/<str:day>/routes/", views.route_sheet, name="route-sheet"),
    path("deliveries/", views.my_deliveries, name="my-deliveries"),
    path("deliveries/<int:pk>/delivered/", views.mark_delivered, name="mark-delivered"),
]
