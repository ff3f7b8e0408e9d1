// Vocabulary for readable fake records. Real-looking text makes connector
// output easy to eyeball; none of it needs to be meaningful.

export const COUNTRIES: ReadonlyArray<[name: string, iso: string, currency: string, taxRate: number]> = [
  ['United Kingdom', 'GB', 'GBP', 20], ['Ireland', 'IE', 'EUR', 23], ['France', 'FR', 'EUR', 20],
  ['Germany', 'DE', 'EUR', 19], ['Spain', 'ES', 'EUR', 21], ['Italy', 'IT', 'EUR', 22],
  ['Netherlands', 'NL', 'EUR', 21], ['Belgium', 'BE', 'EUR', 21], ['Portugal', 'PT', 'EUR', 23],
  ['Austria', 'AT', 'EUR', 20], ['Sweden', 'SE', 'SEK', 25], ['Denmark', 'DK', 'DKK', 25],
  ['Norway', 'NO', 'NOK', 25], ['Finland', 'FI', 'EUR', 24], ['Poland', 'PL', 'PLN', 23],
  ['Czechia', 'CZ', 'CZK', 21], ['Switzerland', 'CH', 'CHF', 8.1], ['United States', 'US', 'USD', 0],
  ['Canada', 'CA', 'CAD', 5], ['Australia', 'AU', 'AUD', 10], ['New Zealand', 'NZ', 'NZD', 15],
  ['Japan', 'JP', 'JPY', 10], ['Singapore', 'SG', 'SGD', 9], ['Hong Kong', 'HK', 'HKD', 0],
  ['United Arab Emirates', 'AE', 'AED', 5], ['South Africa', 'ZA', 'ZAR', 15], ['Mexico', 'MX', 'MXN', 16],
  ['Brazil', 'BR', 'BRL', 17], ['India', 'IN', 'INR', 18], ['Greece', 'GR', 'EUR', 24],
];

export const PAGE_TITLES = [
  'About us', 'Delivery information', 'Returns policy', 'Privacy policy', 'Terms and conditions',
  'Contact us', 'FAQ', 'Size guide', 'Our story', 'Careers', 'Wholesale', 'Gift cards',
  'Care instructions', 'Sustainability', 'Press', 'Store locator', 'Cookie policy', 'Accessibility',
  'Loyalty scheme', 'Student discount', 'Klarna payments', 'Click and collect', 'Meet the makers',
  'Product recalls', 'Modern slavery statement',
];

export const ADJECTIVES = [
  'Organic', 'Classic', 'Vintage', 'Handmade', 'Recycled', 'Premium', 'Lightweight', 'Waxed',
  'Merino', 'Linen', 'Bamboo', 'Ceramic', 'Walnut', 'Copper', 'Everyday', 'Heritage',
];
export const NOUNS = [
  'T-Shirt', 'Hoodie', 'Tote Bag', 'Mug', 'Candle', 'Notebook', 'Scarf', 'Beanie', 'Water Bottle',
  'Backpack', 'Apron', 'Tea Towel', 'Plant Pot', 'Wallet', 'Socks', 'Chopping Board', 'Lamp', 'Throw',
];
export const BRANDS = ['Northwind', 'Fenwick & Co', 'Oak Lane', 'Bramble', 'Tidewater', 'Kestrel', 'Harlow'];
export const TAGS = ['new', 'bestseller', 'gift', 'eco', 'sale', 'limited', 'handmade', 'bundle', 'clearance'];
export const MATERIALS = ['Cotton', 'Wool', 'Linen', 'Leather', 'Stoneware', 'Oak', 'Recycled PET'];

export const CATEGORY_NAMES = [
  'Clothing', 'Accessories', 'Home', 'Kitchen', 'Stationery', 'Gifts', 'Outdoor', 'Bags',
  'Knitwear', 'Candles', 'Lighting', 'Textiles', 'Drinkware', 'Garden', 'Kids', 'Pets',
  'Bath', 'Decor', 'Tableware', 'Travel', 'Wellness', 'Jewellery', 'Footwear', 'Sale', 'New in',
];

export const OPTION_NAMES = ['Size', 'Colour', 'Material', 'Style', 'Finish', 'Length', 'Scent', 'Pattern'];
export const OPTION_VALUES: Record<string, readonly string[]> = {
  Size: ['XS', 'S', 'M', 'L', 'XL'], Colour: ['Black', 'Navy', 'Sage', 'Rust', 'Cream'],
  Material: ['Cotton', 'Linen', 'Wool'], Style: ['Regular', 'Relaxed', 'Slim'],
  Finish: ['Matt', 'Gloss', 'Satin'], Length: ['Short', 'Regular', 'Long'],
  Scent: ['Fig', 'Cedar', 'Neroli'], Pattern: ['Plain', 'Stripe', 'Check'],
};

export const CHOICE_SETS: ReadonlyArray<[name: string, choices: readonly string[]]> = [
  ['Gift wrap', ['None', 'Brown paper', 'Luxury box']], ['Engraving', ['None', 'Initials', 'Full name']],
  ['Gift message', ['No', 'Yes']], ['Delivery speed', ['Standard', 'Express', 'Next day']],
  ['Warranty', ['1 year', '2 years', '3 years']], ['Assembly', ['Self', 'Assembled']],
  ['Monogram colour', ['Gold', 'Silver', 'Black']], ['Card design', ['Birthday', 'Thank you', 'Blank']],
  ['Ribbon', ['Red', 'Green', 'Ivory']], ['Bundle', ['Single', 'Pair', 'Set of four']],
  ['Subscription', ['One-off', 'Monthly', 'Quarterly']], ['Insurance', ['None', 'Standard', 'Full']],
];

export const FIRST_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Noah', 'Oliver', 'George', 'Arthur', 'Leo',
  'Freya', 'Aisha', 'Priya', 'Mohammed', 'Tomasz', 'Sofia', 'Chloe', 'Jack', 'Harry', 'Ethan',
];
export const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Patel', 'Khan', 'Nowak',
  'Murphy', "O'Brien", 'Clarke', 'Walker', 'Wright', 'Hughes', 'Green', 'Hall', 'Wood', 'Singh',
];
export const COMPANIES = ['Acme Interiors Ltd', 'Blue Door Café', 'Harbour Hotels', 'Studio Nine', 'The Gift Box'];
export const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Mill Road', 'Park Avenue', 'Victoria Road'];
export const CITIES: ReadonlyArray<[city: string, postcode: string, country: string]> = [
  ['London', 'E1 6AN', 'GB'], ['Manchester', 'M1 1AE', 'GB'], ['Leeds', 'LS1 4DY', 'GB'],
  ['Bristol', 'BS1 5TR', 'GB'], ['Glasgow', 'G1 1XQ', 'GB'], ['Cardiff', 'CF10 1EP', 'GB'],
  ['Belfast', 'BT1 5GS', 'GB'], ['Dublin', 'D02 X285', 'IE'],
];

export const REVIEW_TITLES = ['Love it', 'Great quality', 'As described', 'Not for me', 'Fast delivery', 'Gorgeous'];
export const REVIEW_BODIES = [
  'Exactly what I wanted and arrived quickly.', 'Good value, would buy again.',
  'Colour slightly different from the photos but still nice.', 'Smaller than expected.',
  'Bought as a gift and they loved it!', 'Sturdy and well made.',
];

export const ZONES: ReadonlyArray<[name: string, countries: readonly string[]]> = [
  ['UK Mainland', ['GB']], ['UK Highlands & Islands', ['GB']], ['Ireland', ['IE']],
  ['Europe Zone 1', ['FR', 'DE', 'NL', 'BE', 'AT']], ['Europe Zone 2', ['ES', 'IT', 'PT', 'GR', 'PL', 'CZ']],
  ['Nordics', ['SE', 'DK', 'NO', 'FI']], ['North America', ['US', 'CA', 'MX']],
  ['Rest of World', ['AU', 'NZ', 'JP', 'SG', 'HK', 'AE', 'ZA', 'BR', 'IN', 'CH']],
];
export const RATE_NAMES = ['Standard', 'Express', 'Next day', 'Economy', 'Tracked'];

export const THEMES = ['Aurora', 'Harbour', 'Meridian', 'Juniper', 'Slate'];

export const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'cancelled', 'refunded'] as const;
export const PAYMENT_METHODS = ['card', 'paypal', 'bank_transfer', 'klarna'];
export const ORDER_NOTES = ['Please leave with neighbour', 'Gift - no prices please', 'Call on arrival'];
