# Passage — العربية (الفصحى). يجب أن يوجد هنا كل مفتاح من مفاتيح en.ftl.

## التنقل والإطار
nav-skip = الانتقال إلى المحتوى
nav-label = القائمة الرئيسية
nav-home = الرئيسية
nav-search = البحث عن شخص
nav-register = تسجيل شخص
nav-offices = المكاتب
nav-logout = تسجيل الخروج
nav-language = اللغة
nav-language-apply = تغيير
choose = اختر…
none = بدون
none-yet = لم يُسجَّل شيء بعد.
filter-any = الكل
filter-birth-year = سنة الميلاد
person = الشخص
case = ملف

## تسجيل الدخول
login-title = تسجيل الدخول إلى Passage
login-username = اسم المستخدم
login-password = كلمة المرور
login-submit = دخول
login-failed = اسم المستخدم أو كلمة المرور غير صحيحة، أو الحساب معطَّل.
login-paused = محاولات فاشلة كثيرة لهذا الحساب أو من هذا الاتصال. أعد المحاولة بعد { $minutes } دقيقة.

## الرئيسية
home-welcome = مرحبًا، { $name }
home-my-cases = ملفاتي المفتوحة
home-no-cases = لا يوجد ملف مفتوح مُسنَد إليك.
home-recent = آخر النشاطات
home-no-activity = لا يوجد أي نشاط بعد.

## البحث
search-title = البحث عن شخص
search-label = الاسم (بأي تهجئة)
search-hint = البحث عن Diallo يجد أيضًا Jallow وDjalo، بغضّ النظر عن علامات التشكيل وترتيب الأسماء.
search-submit = بحث
search-results = { $count ->
    [zero] لم يُعثر على أي شخص
    [one] وُجد شخص واحد
    [two] وُجد شخصان
    [few] وُجد { $count } أشخاص
    [many] وُجد { $count } شخصًا
   *[other] وُجد { $count } شخص
}
search-none = لا توجد نتائج مطابقة. تحقّق من التهجئة أو سجّل الشخص.
search-truncated = المطابقات كثيرة، ولم يُرتَّب إلا جزء منها. أضف الجنسية أو سنة الميلاد.
search-matched-as = مسجَّل باسم { $name }

## التسجيل
register-title = تسجيل شخص وفتح ملف
register-intro = يمكن استكمال الحقول المتروكة فارغة لاحقًا. تكفي السنة وحدها لتاريخ الميلاد.
register-identity = الهوية
register-document = وثيقة الهوية
register-case = الملف
register-submit = تسجيل
register-done = تم التسجيل، والملف مفتوح.
hint-birth-date = YYYY-MM-DD، أو السنة فقط (YYYY)
hint-phone = بالصيغة الدولية، مثل ‎+227 96 12 34 56
hint-quantity = ليالي الإيواء، الوجبات، الجلسات… (1 إذا تُرك فارغًا)
hint-provider = اتركه فارغًا إذا قدّمتها منظمتك
hint-reason = مطلوب لإغلاق الملف
provider-own = منظمتنا

## الحقول
field-name = الاسم
field-names-given = الاسم الشخصي
field-names-family = اسم العائلة
field-given = الاسم الشخصي
field-family = اسم العائلة
field-alias_given = اسم شخصي آخر أو تهجئة أخرى
field-alias_family = اسم عائلة آخر أو تهجئة أخرى
field-sex = الجنس
field-birth_date = تاريخ الميلاد
field-birth_date_precision = مدى دقة التاريخ
field-nationality = الجنسية
field-languages = اللغات
field-phone = الهاتف
field-documents-kind = نوع الوثيقة
field-documents-number = رقم الوثيقة
field-documents-issuing_country = بلد الإصدار
field-documents-expires_on = تاريخ انتهاء الصلاحية
field-doc_kind = نوع الوثيقة
field-doc_number = رقم الوثيقة
field-doc_country = بلد الإصدار
field-doc_expires = تاريخ انتهاء الصلاحية
field-kind = النوع
field-office_id = المكتب
field-assigned_to = مُسنَد إلى
field-screened_on = تاريخ الفحص
field-findings = نتائج الفحص
field-exploitation = نوع الاستغلال
field-notes = ملاحظات
field-provided_on = تاريخ التقديم
field-quantity = الكمية
field-place = المكان
field-provider = الجهة المقدِّمة
field-cost = التكلفة
field-currency = العملة
field-body = الملاحظة
field-status = الحالة
field-reason = السبب
field-code = الرمز
field-country = البلد
field-capacity = السعة (عدد الأسرّة)
field-q = الاسم
field-office = المكتب
field-birth_year = سنة الميلاد
field-limit = عدد النتائج
field-case = الملف
field-username = اسم المستخدم
field-password = كلمة المرور
field-display_name = الاسم الكامل

## صفحات الشخص والملف
person-aliases = مسجَّل أيضًا باسم
person-registered = تاريخ التسجيل
person-cases = الملفات
case-open-another = فتح ملف آخر لهذا الشخص
case-open-submit = فتح الملف
birth-estimated = حوالي { $year }
case-reference = المرجع
case-status = الحالة
case-priority = الأولوية
case-sensitivity = الحساسية
case-office = المكتب
case-assigned = مُسنَد إلى
case-opened = تاريخ الفتح
case-screenings = فحوص أوجه الضعف
case-assistance = المساعدة
case-notes = ملاحظات الملف
screening-record = تسجيل فحص
screening-submit = حفظ الفحص
screening-nothing = لم يُرصد أي وجه من أوجه الضعف
assistance-record = تسجيل مساعدة
assistance-submit = حفظ المساعدة
note-submit = إضافة ملاحظة
status-new = الحالة الجديدة
status-submit = تغيير الحالة

## المكاتب
offices-title = المكاتب
offices-load = الملفات المفتوحة / السعة
offices-add = إضافة مكتب
offices-submit = إضافة المكتب

## الأخطاء
form-has-errors = بعض الحقول تحتاج إلى مراجعة.
error-title = حدث خطأ
error-not-found = هذه الصفحة غير موجودة، أو لا تملك صلاحية الوصول إليها.
error-forbidden = دورك لا يسمح بذلك.
error-conflict = عدّل شخص آخر هذا السجل في الوقت نفسه. أعد تحميل الصفحة وحاول مجددًا.
error-too-many = محاولات فاشلة كثيرة. أعد المحاولة لاحقًا.
error-internal = حدث خطأ غير متوقع وتم تسجيله؛ يُرجى المحاولة مجددًا.
error-method = هذا العنوان لا يقبل هذا النوع من الطلبات.
error-csrf = انتهت صلاحية هذا النموذج. ارجع، وأعد تحميل الصفحة، ثم أرسله من جديد.
err-required = حقل مطلوب.
err-too-long = طويل جدًا: الحد الأقصى لعدد الأحرف { $max } (المُدخل: { $length }).
err-too-many = العدد كبير جدًا: الحد الأقصى { $max }.
err-unknown-choice = «{ $value }» ليس من الخيارات المتاحة.
err-unknown-country = «{ $value }» ليس رمز بلد وفق ISO 3166 (ثلاثة أحرف، مثل NER).
err-unknown-language = «{ $value }» ليس رمز لغة معروفًا (ISO 639-3، مثل bam).
err-unknown-currency = «{ $value }» ليس رمز عملة معروفًا.
err-unknown-office = مكتب غير معروف.
err-unknown-user = مستخدم غير معروف، أو لا يعمل في هذا المكتب.
err-date-format = اكتب التاريخ بالصيغة YYYY-MM-DD.
err-date-impossible = هذا التاريخ غير موجود ({ $value }).
err-date-in-future = لا يمكن أن يكون التاريخ في المستقبل.
err-date-too-old = التاريخ بعيد جدًا في الماضي.
err-name-required = أدخل الاسم الشخصي أو اسم العائلة على الأقل.
err-phone = اكتب الرقم بالصيغة الدولية: + ثم من 8 إلى 15 رقمًا.
err-document-number = يُسمح فقط بالحروف والأرقام والمسافات و- و/.
err-number-too-large = الحد الأقصى { $max }.
err-positive-number = اكتب عددًا صحيحًا، 1 أو أكثر.
err-exploitation-required = اختر نوع الاستغلال لضحية الاتجار بالبشر.
err-exploitation-without-trafficking = لا يُسجَّل نوع الاستغلال إلا لضحية الاتجار بالبشر.
err-unaccompanied-and-separated = الطفل إما غير مصحوب وإما منفصل عن ذويه، لا الاثنان معًا.
err-status-transition = لا يمكن نقل الملف من الحالة «{ $from }» إلى «{ $to }».
err-reason-required = اذكر السبب.
err-case-closed = الملف مغلق: أعد فتحه أولًا.
err-office-code = من 2 إلى 16 حرفًا أو رقمًا أو شرطة.
err-office-code-taken = هذا الرمز مستخدم بالفعل.
err-username = من 3 إلى 40 حرفًا لاتينيًا صغيرًا أو رقمًا أو نقطة أو شرطة أو شرطة سفلية.
err-username-taken = اسم المستخدم هذا محجوز.
err-password-short = الحد الأدنى لعدد الأحرف { $min }.
err-password-common = كلمة المرور هذه من أكثر الكلمات شيوعًا؛ اختر غيرها.
err-password-username = يجب ألا تحتوي كلمة المرور على اسم المستخدم.
err-year = اكتب سنة، مثل 1998.
err-limit = بين 1 و{ $max }.

## النشاط الأخير
activity-person_registered = سجّل شخصًا
activity-case_opened = فتح ملفًا
activity-screening_recorded = سجّل فحصًا
activity-assistance_recorded = سجّل مساعدة
activity-note_added = أضاف ملاحظة
activity-status_changed = غيّر حالة ملف

## الرموز
sex-female = أنثى
sex-male = ذكر
sex-unknown = غير مسجَّل
precision-exact = دقيق
precision-year = السنة فقط
precision-estimated = تقديري
kind-transit_protection = الحماية أثناء العبور
kind-assisted_voluntary_return = العودة الطوعية المدعومة
kind-trafficking_victim_assistance = مساعدة ضحايا الاتجار بالبشر
kind-unaccompanied_child = طفل غير مصحوب
kind-search_and_rescue_survivor = ناجٍ من عملية بحث وإنقاذ
status-open = مفتوح
status-active = نشط
status-on_hold = معلّق
status-closed = مغلق
priority-high = عالية
priority-medium = متوسطة
priority-low = منخفضة
sensitivity-normal = عادية
sensitivity-restricted = مقيّدة
finding-victim_of_trafficking = ضحية الاتجار بالبشر
finding-unaccompanied_child = طفل غير مصحوب
finding-separated_child = طفل منفصل عن ذويه
finding-serious_medical_condition = حالة طبية خطيرة
finding-disability = إعاقة
finding-gbv_survivor = ناجٍ/ناجية من العنف القائم على النوع الاجتماعي
finding-pregnant_or_lactating = حامل أو مرضع
finding-older_person = شخص مسنّ
finding-mental_health_need = احتياج في مجال الصحة النفسية
finding-stranded_without_means = عالق بلا موارد
exploitation-labour = استغلال في العمل
exploitation-sexual = استغلال جنسي
exploitation-domestic_servitude = استعباد منزلي
exploitation-forced_begging = تسوّل قسري
exploitation-forced_criminality = إجرام قسري
exploitation-forced_marriage = زواج قسري
exploitation-organ_removal = نزع الأعضاء
exploitation-other = آخر
assistance-shelter = إيواء
assistance-food = غذاء
assistance-non_food_items = طقم مواد غير غذائية
assistance-medical_consultation = استشارة طبية
assistance-psychosocial_session = جلسة دعم نفسي اجتماعي
assistance-legal_counselling = استشارة قانونية
assistance-cash = مساعدة نقدية
assistance-family_tracing = البحث عن أفراد الأسرة
assistance-transport = نقل
assistance-clothing = ملابس
assistance-phone_call_home = مكالمة هاتفية مع الأهل
unit-nights = ليالٍ
unit-meals = وجبات
unit-kits = أطقم
unit-sessions = جلسات
unit-items = قطع
unit-calls = مكالمات
unit-trips = رحلات
unit-payments = دفعات
doc-passport = جواز سفر
doc-national_id = بطاقة هوية وطنية
doc-birth_certificate = شهادة ميلاد
doc-laissez_passer = وثيقة مرور (laissez-passer)
doc-consular_card = بطاقة قنصلية
doc-other = وثيقة أخرى
office-country_office = مكتب قطري
office-transit_centre = مركز عبور
office-shelter = مركز إيواء
office-sub_office = مكتب فرعي

## الموافقة
consents = الموافقات
consent-record = تسجيل موافقة
consent-submit = حفظ الموافقة
consent-withdraw = سحب
consent-withdrawn-on = سُحبت في { $date }
consent-registration = التسجيل
consent-data_sharing = مشاركة البيانات مع شريك
consent-follow_up_contact = التواصل للمتابعة
consent-photos = الصور
consent-method-written = كتابية
consent-method-verbal = شفهية
consent-method-thumbprint = بصمة الإبهام
field-partner = الشريك
field-method = طريقة التسجيل
field-given_on = تاريخ الموافقة
hint-partner = المنظمة التي يجوز مشاركة البيانات معها
err-partner-required = اذكر الشريك في موافقة مشاركة البيانات.
activity-consent_recorded = سجّل موافقة
activity-consent_withdrawn = سجّل سحب موافقة

# Audit trail
nav-audit = سجل التدقيق
audit-title = سجل التدقيق
audit-person = الشخص (المعرّف)
audit-case = الملف (المعرّف)
audit-user = المستخدم
audit-from = من
audit-until = إلى
audit-filter = عرض
audit-at = متى (UTC)
audit-action = ماذا
audit-record = السجل
audit-changes = التغييرات
audit-source = من أين
audit-system = النظام
audit-older = إدخالات أقدم

# الحسابات: العامل الثاني، رموز الواجهة البرمجية، المستخدمون
role-caseworker = أخصائي حالة
role-protection_officer = موظف حماية
role-movement_officer = موظف التنقلات
role-reintegration_officer = موظف إعادة الإدماج
role-me_officer = موظف الرصد والتقييم
role-programme_viewer = مطّلع على البرنامج
role-partner = شريك
role-admin = مسؤول النظام
yes = نعم
offices-all = كل المكاتب
field-role = الدور
field-offices = المكاتب
field-offices-hint = رموز المكاتب مفصولة بمسافات (مثل NER-AGZ NER-ARL)، أو «all» لكل المكاتب.
totp-title = أدخل الرمز من تطبيق المصادقة
totp-help = افتح تطبيق المصادقة على هاتفك واكتب الرمز المكوّن من ستة أرقام الظاهر لـ Passage.
totp-enrol-title = إعداد تطبيق المصادقة
totp-enrol-help = يتطلب دورك عاملاً ثانياً. امسح هذا الرمز بتطبيق مصادقة (FreeOTP أو Aegis أو Google Authenticator أو Microsoft Authenticator…) ثم اكتب الرمز المكوّن من ستة أرقام.
totp-enrol-secret = أو اكتب هذا المفتاح في التطبيق:
totp-code = رمز من ستة أرقام
totp-submit = متابعة
err-totp-wrong = هذا الرمز غير صحيح أو سبق استخدامه. اكتب الرمز الظاهر الآن.
account-title = حسابي
account-second-factor = يتطلب دورك عاملاً ثانياً عند كل تسجيل دخول (تطبيق مصادقة).
nav-account = حسابي
tokens-title = رموز الواجهة البرمجية
tokens-help = يسمح الرمز لنظام آخر باستخدام الواجهة البرمجية باسمك، في حدود أحد أدوارك. امنحه ما يحتاجه فقط، لأقصر مدة ممكنة.
tokens-once = انسخ هذا الرمز الآن: لن يظهر إلا مرة واحدة.
tokens-none = لا توجد رموز.
tokens-scope = يمكنه استخدام
tokens-expires = ينتهي في
tokens-state = الحالة
tokens-active = نشط
tokens-revoked = ملغى
tokens-expired = منتهي
tokens-revoke = إلغاء
tokens-add = رمز جديد
tokens-days = صالح لمدة (أيام)
tokens-submit = إنشاء الرمز
err-token-days = بين 1 و{ $max } يوماً.
err-token-beyond-grants = لا يمكن للرمز استخدام إلا دور تحمله، وفي المكاتب التي تحمله فيها.
users-title = المستخدمون
nav-users = المستخدمون
users-roles = الأدوار
users-state = الحساب
users-active = نشط
users-disabled = معطّل
users-add = إضافة مستخدم
users-submit = إضافة المستخدم
users-password-hint = 12 حرفاً أو أكثر. يُفضّل تسليمها شخصياً.
users-revoke = سحب
users-grant = منح دور
users-grant-submit = منح الدور
users-disable = تعطيل الحساب
users-enable = تفعيل الحساب
users-totp-enrolled = تم إعداد تطبيق مصادقة.
users-totp-none = لم يُعدّ تطبيق مصادقة بعد (سيُطلب عند تسجيل الدخول التالي إذا كان الدور يتطلبه).
users-totp-reset = إعادة تعيين المصادقة (هاتف مفقود)
err-disable-self = لا يمكنك تعطيل حسابك.
permissions-title = من يحق له ماذا
permissions-help = مولّد من السياسة التي يطبقها النظام. يسري الدور في المكاتب الممنوح لها.
permissions-permission = الصلاحية
permissions-restricted = الحالات المقيّدة (الاتجار، الأطفال غير المصحوبين أو المنفصلين، العنف القائم على النوع الاجتماعي) لا يراها إلا أخصائي الحالة المكلّف وموظفو الحماية في المكتب؛ أما للآخرين فهي غير موجودة.

# طلبات البيانات
privacy-title = طلبات البيانات
privacy-export = كل ما هو محفوظ عن هذا الشخص (قابل للطباعة)
privacy-export-json = نفس البيانات بصيغة JSON
privacy-export-title = البيانات المحفوظة عن { $name }
privacy-export-made = صُدّرت في { $when } بواسطة { $who }. تشمل المكاتب التي تعمل لها.
privacy-identity = الهوية
privacy-documents = وثائق الهوية
privacy-cases = الحالات
privacy-audit = من فعل ماذا بهذه السجلات
privacy-erase = محو هوية هذا الشخص
privacy-erase-help = بطلب من الشخص: تُمحى الأسماء والهاتف وتاريخ الميلاد (تبقى السنة) والوثائق والملاحظات نهائياً. تبقى الحالات والتقييمات والمساعدات دون هوية حتى لا تتغير الأرقام. لا يمكن التراجع.
privacy-reason = السبب
privacy-reason-hint = من طلب، ومتى، وكيف تم التحقق من هويته.
privacy-confirm = أفهم أن هذا الإجراء لا يمكن التراجع عنه.
privacy-erase-submit = محو الهوية
err-confirm = ضع علامة في المربع للتأكيد.
err-cursor = رابط الصفحة لم يعد صالحاً؛ ابدأ من الصفحة الأولى.

account-password = تغيير كلمة المرور
field-current_password = كلمة المرور الحالية
field-new_password = كلمة المرور الجديدة
account-password-submit = تغيير كلمة المرور
err-password-wrong = هذه ليست كلمة مرورك الحالية.
