"""Words the demo marketplace builds store and product names from, in English and Chinese."""

# (country, currency, [(city in English, city in Chinese)])
MARKETS = [
    ("CN", "CNY", [("Hangzhou", "杭州"), ("Shenzhen", "深圳"), ("Yiwu", "义乌"), ("Guangzhou", "广州"),
                   ("Suzhou", "苏州"), ("Chengdu", "成都")]),
    ("US", "USD", [("Portland", "波特兰"), ("Austin", "奥斯汀"), ("Brooklyn", "布鲁克林")]),
    ("DE", "EUR", [("Hamburg", "汉堡"), ("Munich", "慕尼黑"), ("Berlin", "柏林")]),
    ("FR", "EUR", [("Lyon", "里昂"), ("Marseille", "马赛")]),
    ("JP", "JPY", [("Osaka", "大阪"), ("Kyoto", "京都"), ("Tokyo", "东京")]),
    ("GB", "GBP", [("Manchester", "曼彻斯特"), ("Bristol", "布里斯托")]),
    ("KR", "KRW", [("Seoul", "首尔"), ("Busan", "釜山")]),
    ("IN", "INR", [("Jaipur", "斋浦尔"), ("Bengaluru", "班加罗尔")]),
    ("BR", "BRL", [("São Paulo", "圣保罗")]),
    ("AU", "AUD", [("Melbourne", "墨尔本")]),
    ("CA", "CAD", [("Vancouver", "温哥华")]),
    ("SG", "SGD", [("Singapore", "新加坡")]),
    ("TH", "THB", [("Chiang Mai", "清迈")]),
]

STORE_WORDS = [("Goods", "良品"), ("Studio", "工作室"), ("Trading", "商行"), ("Workshop", "工坊"),
               ("Market", "集市"), ("Supply", "优选"), ("House", "小屋"), ("Outfitters", "服饰"),
               ("Tech", "数码"), ("Home", "家居"), ("Select", "严选"), ("Corner", "小铺")]

ADJECTIVES = [("Classic", "经典"), ("Premium", "高级"), ("Lightweight", "轻盈"), ("Vintage", "复古"),
              ("Everyday", "日常"), ("Deluxe", "豪华"), ("Compact", "小巧"), ("Handmade", "手工"),
              ("Minimalist", "极简"), ("Portable", "便携"), ("Cozy", "舒适"), ("Elegant", "优雅"),
              ("Eco-friendly", "环保"), ("Limited Edition", "限量版"), ("New", "新款")]

# Per root category: modifiers, option axes with their values, a price range in USD, an HS chapter.
PROFILES = {
    "clothing": {
        "modifiers": [("Cotton", "纯棉"), ("Linen", "亚麻"), ("Silk", "真丝"), ("Denim", "牛仔"), ("Wool", "羊毛"),
                      ("Oversized", "宽松"), ("Slim-fit", "修身")],
        "axes": {"size": ["XS", "S", "M", "L", "XL"], "colour": ["Black", "White", "Navy", "Beige", "Red"]},
        "usd": (9, 120), "hs": "6109", "grams": (150, 900)},
    "electronics": {
        "modifiers": [("Wireless", "无线"), ("Bluetooth", "蓝牙"), ("4K", "4K"), ("Noise-cancelling", "降噪"),
                      ("USB-C", "USB-C"), ("Fast-charging", "快充"), ("Smart", "智能")],
        "axes": {"colour": ["Black", "Silver", "Blue"], "storage": ["64 GB", "128 GB", "256 GB"]},
        "usd": (8, 900), "hs": "8517", "grams": (40, 2500)},
    "home": {
        "modifiers": [("Ceramic", "陶瓷"), ("Bamboo", "竹制"), ("Stainless Steel", "不锈钢"), ("Glass", "玻璃"),
                      ("Nordic", "北欧风"), ("Wooden", "实木")],
        "axes": {"colour": ["White", "Grey", "Green", "Walnut"]},
        "usd": (5, 250), "hs": "6912", "grams": (200, 6000)},
    "beauty": {
        "modifiers": [("Hydrating", "补水"), ("Organic", "有机"), ("Matte", "哑光"), ("Vitamin C", "维C"),
                      ("Gentle", "温和")],
        "axes": {"size": ["30 ml", "50 ml", "100 ml"]},
        "usd": (4, 80), "hs": "3304", "grams": (50, 400)},
    "food": {
        "modifiers": [("Organic", "有机"), ("Spring Harvest", "明前"), ("Hand-picked", "手采"), ("Premium Grade", "特级")],
        "axes": {"weight": ["100 g", "250 g", "500 g"]},
        "usd": (6, 120), "hs": "0902", "grams": (100, 600)},
    "shoes": {
        "modifiers": [("Leather", "真皮"), ("Canvas", "帆布"), ("Running", "跑步"), ("Waterproof", "防水")],
        "axes": {"size": ["38", "39", "40", "41", "42", "43"]},
        "usd": (15, 220), "hs": "6403", "grams": (400, 1400)},
    "appliances": {
        "modifiers": [("Smart", "智能"), ("Quiet", "静音"), ("Stainless Steel", "不锈钢"), ("Compact", "迷你"),
                      ("Energy-saving", "节能")],
        "axes": {"colour": ["White", "Black", "Silver"]},
        "usd": (20, 400), "hs": "8516", "grams": (800, 5000)},
    "jewellery": {
        "modifiers": [("Sterling Silver", "纯银"), ("Gold-plated", "镀金"), ("Pearl", "珍珠"), ("Crystal", "水晶"),
                      ("Jade", "玉石")],
        "axes": {"finish": ["Silver", "Gold", "Rose Gold"]},
        "usd": (8, 400), "hs": "7117", "grams": (5, 200)},
    "general": {
        "modifiers": [("Durable", "耐用"), ("Professional", "专业"), ("Foldable", "可折叠"), ("Kids'", "儿童"),
                      ("Outdoor", "户外"), ("Waterproof", "防水")],
        "axes": {"colour": ["Red", "Blue", "Black", "Green"]},
        "usd": (5, 300), "hs": "9503", "grams": (100, 3000)},
}

ROOT_PROFILES = {
    "womens-clothing": "clothing", "mens-clothing": "clothing", "phones-accessories": "electronics",
    "computers-office": "electronics", "consumer-electronics": "electronics", "home-garden": "home",
    "home-appliances": "appliances", "beauty-health": "beauty", "toys-kids": "general",
    "sports-outdoors": "general", "bags-shoes": "shoes", "jewellery-watches": "jewellery", "automotive": "general",
    "food-tea": "food",
}

DESCRIPTIONS = {
    "en": ("{title}. Made with care and shipped from {city} by {store}. Every order is protected: your payment "
           "stays in escrow until you confirm the parcel arrived."),
    "zh-hans": ("{title}。由{store_zh}在{city_zh}精心制作并发货。每笔订单均受担保交易保护：确认收货后货款才会支付给卖家。"),
}

# Per leaf category: the typical price in USD (the median of a log-normal) and its spread (the standard
# deviation of the price's logarithm), and a typical shipping weight in grams. A leaf missing here (one an
# operator added) is priced from its root's profile.
LEAF_PRICES: dict[str, tuple[float, float, int]] = {
    "womens-t-shirts": (15, 0.45, 180), "womens-blouses": (28, 0.45, 200), "womens-sweaters": (40, 0.5, 450),
    "casual-dresses": (35, 0.5, 300), "party-dresses": (70, 0.55, 450), "womens-jeans": (45, 0.45, 550),
    "womens-skirts": (30, 0.45, 300), "womens-trousers": (38, 0.45, 450), "womens-jackets": (70, 0.5, 800),
    "womens-coats": (120, 0.5, 1300),
    "mens-t-shirts": (16, 0.45, 200), "mens-shirts": (32, 0.45, 280), "mens-hoodies": (40, 0.45, 600),
    "mens-jeans": (48, 0.45, 650), "mens-trousers": (40, 0.45, 500), "mens-shorts": (24, 0.45, 300),
    "mens-jackets": (80, 0.5, 900), "mens-down-coats": (130, 0.5, 1100),
    "smartphones": (380, 0.6, 190), "feature-phones": (35, 0.4, 90), "phone-cases": (12, 0.45, 40),
    "screen-protectors": (8, 0.4, 20), "phone-chargers": (15, 0.45, 80), "power-banks": (30, 0.4, 250),
    "laptops": (850, 0.45, 1700), "tablets": (320, 0.5, 500), "keyboards": (55, 0.6, 700), "mice": (25, 0.55, 100),
    "monitors": (220, 0.45, 4500), "notebooks-paper": (8, 0.5, 250), "pens": (6, 0.6, 30),
    "headphones": (70, 0.7, 250), "speakers": (60, 0.6, 700), "digital-cameras": (550, 0.55, 600),
    "action-cameras": (220, 0.5, 150), "smartwatches": (180, 0.55, 60), "fitness-trackers": (45, 0.4, 30),
    "cookware": (45, 0.5, 1800), "tableware": (25, 0.55, 800), "teaware": (35, 0.6, 600), "lighting": (45, 0.6, 1200),
    "wall-art": (40, 0.6, 900), "vases": (28, 0.5, 700), "bed-sheets": (45, 0.45, 1400), "pillows": (25, 0.45, 800),
    "planters": (20, 0.55, 900), "garden-tools": (22, 0.5, 700),
    "rice-cookers": (80, 0.5, 3500), "kettles": (35, 0.4, 1300), "blenders": (60, 0.5, 2800),
    "vacuum-cleaners": (150, 0.5, 4000), "robot-vacuums": (280, 0.45, 3500), "fans": (45, 0.5, 3000),
    "heaters": (55, 0.45, 3000),
    "face-creams": (25, 0.6, 120), "face-masks": (12, 0.5, 150), "sunscreen": (15, 0.4, 100),
    "lipstick": (16, 0.45, 30), "eye-makeup": (15, 0.5, 40), "hair-care": (14, 0.45, 350), "oral-care": (8, 0.6, 150),
    "building-blocks": (35, 0.7, 800), "dolls": (20, 0.55, 300), "puzzles": (18, 0.45, 600),
    "baby-clothing": (16, 0.45, 120), "feeding": (15, 0.5, 250),
    "yoga": (28, 0.5, 1200), "dumbbells": (45, 0.6, 5000), "camping": (70, 0.7, 2500), "hiking": (40, 0.6, 600),
    "bicycles": (450, 0.5, 13000), "cycling-accessories": (20, 0.55, 250),
    "handbags": (60, 0.6, 700), "backpacks": (45, 0.5, 800), "luggage": (120, 0.45, 3800),
    "sneakers": (75, 0.45, 850), "boots": (95, 0.45, 1300), "sandals": (30, 0.45, 500),
    "necklaces": (35, 0.8, 30), "earrings": (22, 0.8, 10), "rings": (30, 0.8, 10), "mens-watches": (140, 0.8, 150),
    "womens-watches": (110, 0.8, 90),
    "dash-cams": (60, 0.45, 200), "car-chargers": (14, 0.4, 60), "car-cleaning": (15, 0.5, 600),
    "seat-covers": (45, 0.45, 1500),
    "green-tea": (20, 0.6, 250), "oolong-tea": (25, 0.6, 250), "black-tea": (16, 0.55, 250),
    "nuts-dried-fruit": (12, 0.45, 500), "sweets": (8, 0.45, 300),
}

# Leaves whose options or title words differ from their root's (a screen protector has no storage size).
PHONE_MODELS = ["iPhone 16", "iPhone 15", "Galaxy S24", "Pixel 9", "Xiaomi 14"]
LEAF_AXES: dict[str, dict[str, list[str]]] = {
    "phone-cases": {"model": PHONE_MODELS, "colour": ["Black", "Clear", "Blue", "Pink"]},
    "screen-protectors": {"model": PHONE_MODELS},
    "phone-chargers": {"colour": ["White", "Black"]}, "power-banks": {"capacity": ["10000 mAh", "20000 mAh"]},
    "laptops": {"storage": ["256 GB", "512 GB", "1 TB"]}, "monitors": {"size": ["24 in", "27 in", "32 in"]},
    "keyboards": {"colour": ["Black", "White", "Grey"]}, "mice": {"colour": ["Black", "White", "Grey"]},
    "headphones": {"colour": ["Black", "White", "Blue"]}, "speakers": {"colour": ["Black", "Grey", "Red"]},
    "digital-cameras": {"colour": ["Black", "Silver"]}, "action-cameras": {"colour": ["Black"]},
    "smartwatches": {"size": ["41 mm", "45 mm"], "colour": ["Black", "Silver", "Rose Gold"]},
    "fitness-trackers": {"colour": ["Black", "Pink", "Green"]},
    "notebooks-paper": {"size": ["A5", "A4"]}, "pens": {"colour": ["Black", "Blue", "Red"]},
    "feature-phones": {"colour": ["Black", "Red", "Silver"]},
    "rings": {"size": ["5", "6", "7", "8"], "finish": ["Silver", "Gold"]},
    "bicycles": {"frame": ["S", "M", "L"]}, "dumbbells": {"weight": ["2 kg", "5 kg", "10 kg"]},
    "luggage": {"size": ["20 in", "24 in", "28 in"]},
    "green-tea": {"weight": ["50 g", "100 g", "250 g"]}, "oolong-tea": {"weight": ["50 g", "100 g", "250 g"]},
    "black-tea": {"weight": ["50 g", "100 g", "250 g"]},
    "handbags": {"colour": ["Black", "Tan", "Burgundy", "Cream"]},
    "backpacks": {"colour": ["Black", "Navy", "Olive", "Grey"]},
    "lipstick": {"shade": ["Ruby", "Nude", "Coral", "Berry"]}, "eye-makeup": {"shade": ["Brown", "Black", "Bronze"]},
    "face-masks": {"pack": ["5 masks", "10 masks"]},
}
# An option whose values all carry one of these units costs more the further down its list (more storage,
# a bigger screen or tin); sizes of clothes, shoes and rings do not.
PRICED_UNITS = (" ml", " g", " kg", " GB", " TB", " in", " mm", " mAh")

# What a store's name promises it sells (its word → root categories); other words sell anything.
STORE_FOCUS: dict[str, list[str]] = {
    "Tech": ["phones-accessories", "computers-office", "consumer-electronics"],
    "Outfitters": ["womens-clothing", "mens-clothing", "bags-shoes"],
    "Home": ["home-garden", "home-appliances"],
    "Studio": ["jewellery-watches", "home-garden", "womens-clothing", "beauty-health"],
    "Workshop": ["home-garden", "jewellery-watches", "toys-kids", "bags-shoes"],
}
LEAF_MODIFIERS: dict[str, list[tuple[str, str]]] = {
    "smartphones": [("5G", "5G"), ("Dual-SIM", "双卡"), ("Unlocked", "全网通"), ("Refurbished", "官翻")],
    "feature-phones": [("4G", "4G"), ("Dual-SIM", "双卡"), ("Big-button", "大按键")],
    "phone-chargers": [("USB-C", "USB-C"), ("Fast-charging", "快充"), ("Braided", "编织"), ("Wireless", "无线")],
    "power-banks": [("Fast-charging", "快充"), ("MagSafe", "磁吸"), ("Slim", "超薄"), ("USB-C", "USB-C")],
    "laptops": [("Thin and Light", "轻薄"), ("Gaming", "游戏"), ("Business", "商务"), ("14-inch", "14英寸")],
    "tablets": [("10-inch", "10英寸"), ("Kids'", "儿童"), ("Drawing", "绘画"), ("Wi-Fi", "WiFi版")],
    "mice": [("Wireless", "无线"), ("Ergonomic", "人体工学"), ("Gaming", "游戏"), ("Silent", "静音")],
    "headphones": [("Wireless", "无线"), ("Noise-cancelling", "降噪"), ("Bluetooth", "蓝牙"), ("Over-ear", "头戴式")],
    "speakers": [("Bluetooth", "蓝牙"), ("Smart", "智能"), ("Waterproof", "防水"), ("Bookshelf", "书架")],
    "digital-cameras": [("Mirrorless", "微单"), ("Point-and-shoot", "卡片"), ("Retro", "复古"),
                        ("Full-frame", "全画幅")],
    "action-cameras": [("4K", "4K"), ("Waterproof", "防水"), ("360°", "全景")],
    "smartwatches": [("GPS", "GPS"), ("AMOLED", "AMOLED"), ("Bluetooth-calling", "蓝牙通话")],
    "fitness-trackers": [("Heart-rate", "心率"), ("Sleep-tracking", "睡眠监测"), ("Waterproof", "防水")],
    "phone-cases": [("Shockproof", "防摔"), ("Leather", "皮质"), ("Clear", "透明"), ("MagSafe", "磁吸")],
    "screen-protectors": [("Tempered Glass", "钢化玻璃"), ("Privacy", "防窥"), ("Matte", "磨砂"),
                          ("Anti-blue-light", "抗蓝光")],
    "notebooks-paper": [("Dotted", "点阵"), ("Recycled", "再生纸"), ("Hardcover", "精装"), ("Kraft", "牛皮纸")],
    "pens": [("Gel", "中性"), ("Fountain", "钢笔"), ("Fine-tip", "细头"), ("Brush", "软头")],
    "keyboards": [("Mechanical", "机械"), ("Wireless", "无线"), ("Low-profile", "矮轴"), ("Ergonomic", "人体工学")],
    "monitors": [("4K", "4K"), ("Curved", "曲面"), ("IPS", "IPS"), ("144 Hz", "144Hz")],
    "building-blocks": [("Creative", "创意"), ("City", "城市"), ("Kids'", "儿童")],
    "dolls": [("Plush", "毛绒"), ("Soft", "柔软"), ("Kids'", "儿童")],
    "puzzles": [("1000-piece", "1000片"), ("Wooden", "木质"), ("Kids'", "儿童")],
    "baby-clothing": [("Organic Cotton", "有机棉"), ("Soft", "柔软"), ("Newborn", "新生儿")],
    "feeding": [("BPA-free", "无双酚A"), ("Silicone", "硅胶"), ("Glass", "玻璃")],
    "yoga": [("Non-slip", "防滑"), ("Cork", "软木"), ("Thick", "加厚")],
    "bicycles": [("City", "城市"), ("Folding", "折叠"), ("Mountain", "山地"), ("Gravel", "砾石")],
    "mens-watches": [("Automatic", "自动机械"), ("Quartz", "石英"), ("Chronograph", "计时"), ("Titanium", "钛合金")],
    "womens-watches": [("Quartz", "石英"), ("Mesh-strap", "米兰表带"), ("Rose Gold", "玫瑰金"), ("Slim", "超薄")],
    "dash-cams": [("4K", "4K"), ("Night-vision", "夜视"), ("Dual-lens", "双镜头")],
    "car-chargers": [("USB-C", "USB-C"), ("Fast-charging", "快充"), ("Dual-port", "双口")],
    "car-cleaning": [("Microfibre", "超细纤维"), ("Foam", "泡沫"), ("Waterless", "免水洗")],
    "seat-covers": [("Leather", "皮革"), ("Breathable", "透气"), ("Universal", "通用")],
    "handbags": [("Leather", "真皮"), ("Canvas", "帆布"), ("Quilted", "菱格"), ("Woven", "编织")],
    "backpacks": [("Waterproof", "防水"), ("Laptop", "电脑"), ("Travel", "旅行"), ("Canvas", "帆布")],
    "luggage": [("Hard-shell", "硬壳"), ("Carry-on", "登机"), ("Spinner", "万向轮")],
    "sweets": [("Fruit", "水果"), ("Milk", "牛奶"), ("Assorted", "什锦"), ("Sugar-free", "无糖")],
    "nuts-dried-fruit": [("Roasted", "烘焙"), ("Mixed", "混合"), ("Unsalted", "原味"), ("Organic", "有机")],
}
