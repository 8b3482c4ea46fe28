{#-
    Returns the customer feature columns a tag rule may name: the columns of
    int_tags__customer_features, each documented in models/intermediate/tags/_tags__models.yml.
    The list is a macro (not read from the docs) so rules are checked while dbt parses; the data
    test feature_columns_match_list keeps the list, the model and the docs in step.
-#}
{% macro tag_feature_columns() -%}
    {{ return([
        'customer_id', 'as_of_at',
        'is_member', 'is_app_user', 'is_wecom_contact', 'is_oa_follower', 'is_mp_user', 'has_sms_delivered',
        'reachable_wecom', 'reachable_official_account', 'reachable_mini_program', 'reachable_sms',
        'owner_guide_id', 'home_store_id',
        'orders_count', 'gmv', 'first_order_at', 'last_order_at', 'days_since_first_order',
        'days_since_last_order', 'recency_score', 'frequency_score', 'monetary_score', 'rfm_segment',
        'lifecycle_stage',
        'avg_order_value', 'coupon_orders_count', 'coupon_order_share', 'second_order_days_after_first',
        'third_order_days_after_first',
        'preferred_category', 'avg_item_price', 'item_price_source',
        'days_since_last_view', 'days_since_last_cart', 'days_since_last_consult',
        'days_since_high_value_view',
    ]) }}
{%- endmacro %}
