{#-
    Returns the channels an audience may be sent through, each with the identifier type that
    int_tags__reach_ids gives as reach_id: WeCom (the external_userid, sent by its owner guide),
    the official account (OA openid), the mini-program (mp openid) and SMS (phone_hash, matched by
    the SMS provider).
-#}
{% macro audience_channels() -%}
    {{ return({
        'wecom': 'wecom_external_userid',
        'official_account': 'oa_openid',
        'mini_program': 'mp_openid',
        'sms': 'phone_hash',
    }) }}
{%- endmacro %}
