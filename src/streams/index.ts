import { EcommerceStream, StreamContext } from './base';
import { Categories } from './categories';
import { ChoiceSets } from './choice-sets';
import { Countries } from './countries';
import { Customers } from './customers';
import { Events } from './events';
import { Orders } from './orders';
import { Pages } from './pages';
import { ProductOptions } from './product-options';
import { Products } from './products';
import { ProductsImages } from './products-images';
import { ProductsReviews } from './products-reviews';
import { ProductsVariations } from './products-variations';
import { ShippingZones } from './shipping-zones';
import { Themes } from './themes';

export * from './base';

/** Every stream of the source, in the order the seed lists them. */
export function allStreams(ctx: StreamContext): EcommerceStream[] {
  return [
    new Countries(ctx),
    new Pages(ctx),
    new Products(ctx),
    new ProductsImages(ctx),
    new ChoiceSets(ctx),
    new ProductsReviews(ctx),
    new ProductOptions(ctx),
    new ProductsVariations(ctx),
    new Customers(ctx),
    new Orders(ctx),
    new ShippingZones(ctx),
    new Events(ctx),
    new Categories(ctx),
    new Themes(ctx),
  ];
}
