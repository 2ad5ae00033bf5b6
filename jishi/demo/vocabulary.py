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
    "general": {
        "modifiers": [("Durable", "耐用"), ("Professional", "专业"), ("Foldable", "可折叠"), ("Kids'", "儿童"),
                      ("Outdoor", "户外"), ("Waterproof", "防水")],
        "axes": {"colour": ["Red", "Blue", "Black", "Green"]},
        "usd": (5, 300), "hs": "9503", "grams": (100, 3000)},
}

ROOT_PROFILES = {
    "womens-clothing": "clothing", "mens-clothing": "clothing", "phones-accessories": "electronics",
    "computers-office": "electronics", "consumer-electronics": "electronics", "home-garden": "home",
    "home-appliances": "electronics", "beauty-health": "beauty", "toys-kids": "general",
    "sports-outdoors": "general", "bags-shoes": "shoes", "jewellery-watches": "general", "automotive": "general",
    "food-tea": "food",
}

DESCRIPTIONS = {
    "en": ("{title}. Made with care and shipped from {city} by {store}. Every order is protected: your payment "
           "stays in escrow until you confirm the parcel arrived."),
    "zh-hans": ("{title}。由{store_zh}在{city_zh}精心制作并发货。每笔订单均受担保交易保护：确认收货后货款才会支付给卖家。"),
}
