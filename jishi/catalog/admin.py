from django.contrib import admin
from django.db.models import Prefetch

from jishi.catalog.indexing import reindex_categories_later
from jishi.catalog.models import Category, Product, ProductImage, ProductTranslation, Variant
from jishi.catalog.selectors import invalidate_category_tree
from jishi.catalog.services import refresh_category_roots, refresh_summary


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "english_name", "chinese_name", "parent", "position"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["slug", "names"]
    list_select_related = ["parent"]
    ordering = ["parent__position", "position"]

    @admin.display(description="English")
    def english_name(self, obj):
        return obj.names.get("en", "")

    @admin.display(description="中文")
    def chinese_name(self, obj):
        return obj.names.get("zh-hans", "")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_category_roots()  # a moved category takes its products to its new top-level category
        reindex_categories_later(category_ids=[obj.id])  # products are found by their category's names

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_category_tree()  # every web node rebuilds its copy of the tree


class TranslationInline(admin.StackedInline):
    model = ProductTranslation
    extra = 0


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["sku", "options", "price", "currency", "stock", "weight_grams", "hs_code", "origin_country"]
    readonly_fields = ["currency"]


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "thumbnail", "position", "alt"]
    readonly_fields = ["thumbnail"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Operators moderate here; sellers edit through the seller centre, which keeps summaries in step."""

    list_display = ["id", "title", "store", "category", "status", "price_min", "price_max", "currency",
                    "stock_total", "created_at"]
    list_filter = ["status", "currency", "store__country", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["translations__title", "variants__sku", "store__name"]
    list_select_related = ["store", "category"]
    raw_id_fields = ["store", "category"]
    readonly_fields = ["currency", "price_min", "price_max", "sort_price", "stock_total", "created_at", "updated_at"]
    inlines = [TranslationInline, VariantInline, ImageInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("translations", queryset=ProductTranslation.objects.only("product_id", "language", "title")))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_summary(form.instance)  # variant edits here must move the listing price and stock too

    @admin.display(description="title")
    def title(self, obj):
        translations = list(obj.translations.all())
        return next((t.title for t in translations if t.language == obj.default_language),
                    translations[0].title if translations else "—")


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "product", "store", "price", "currency", "stock", "origin_country"]
    list_filter = ["currency", "origin_country"]
    search_fields = ["sku", "store__name"]
    list_select_related = ["product", "store"]
    raw_id_fields = ["product", "store"]


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ["id", "product", "width", "height", "position", "created_at"]
    raw_id_fields = ["product"]
