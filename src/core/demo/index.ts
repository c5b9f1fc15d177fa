/**
 * The seeded demo catalog: what a new user sees before importing anything, and a quick fixture for the job system.
 * A 3-level category tree (department > category > leaf), titles built from leaf-specific nouns, department
 * adjectives/materials and per-department brands, and users whose sequences follow latent preferences over
 * subtrees (a favourite category or two, with a pull to stay in the leaf of the previous item). Leave-last-out split.
 * Algorithms are tested on the real data in ../shared/data; this generator only has to look and behave plausibly.
 */
import { type ImportedDataset, type ImportedItem, type ImportedQuery, SPLIT_CODE } from '../../shared/dataset';
import { Rng } from '../util/random';

export interface DemoOptions {
  seed?: number;
  items?: number;
  users?: number;
  name?: string;
}

/** department → category → leaf → nouns of that leaf (space separated). */
const TREE: Record<string, Record<string, Record<string, string>>> = {
  Kitchen: {
    Cookware: { Skillets: 'skillet frying pan', Saucepans: 'saucepan pot lid', 'Dutch Ovens': 'dutch oven casserole braiser' },
    Cutlery: { 'Chef Knives': 'chef knife blade', 'Knife Sets': 'knife set block', Sharpeners: 'sharpener whetstone honing rod' },
    Bakeware: { 'Baking Sheets': 'baking sheet tray', 'Cake Pans': 'cake pan springform', 'Muffin Tins': 'muffin tin cupcake pan' },
  },
  Outdoors: {
    Camping: { Tents: 'tent shelter footprint', 'Sleeping Bags': 'sleeping bag quilt', Lanterns: 'lantern headlamp light' },
    Hiking: { Backpacks: 'backpack daypack pack', 'Trekking Poles': 'trekking pole staff', 'Water Filters': 'water filter purifier bottle' },
    Fishing: { Reels: 'spinning reel baitcaster', Rods: 'fishing rod blank', Lures: 'lure jig spinnerbait crankbait' },
  },
  Electronics: {
    Audio: { Headphones: 'headphones earbuds headset', Speakers: 'speaker soundbar subwoofer', Microphones: 'microphone mic condenser' },
    Computers: { Keyboards: 'keyboard keycaps switches', Mice: 'mouse trackball', Monitors: 'monitor display screen' },
    Power: { Chargers: 'charger adapter usb', 'Power Banks': 'power bank battery pack', Cables: 'cable cord usb-c lightning' },
  },
  Beauty: {
    Skin: { Moisturizers: 'moisturizer cream lotion', Serums: 'serum essence ampoule', Cleansers: 'cleanser face wash foam' },
    Hair: { Shampoo: 'shampoo wash', Conditioner: 'conditioner mask', 'Styling Tools': 'hair dryer straightener curling iron' },
    Makeup: { Lipstick: 'lipstick lip gloss', Mascara: 'mascara lash primer', Foundation: 'foundation concealer powder' },
  },
  Garden: {
    Tools: { Pruners: 'pruner shears lopper', Shovels: 'shovel spade trowel', Rakes: 'rake leaf broom' },
    Watering: { Hoses: 'garden hose reel', Sprinklers: 'sprinkler oscillating timer', 'Watering Cans': 'watering can spout' },
    Planters: { Pots: 'planter pot saucer', 'Raised Beds': 'raised bed kit', 'Seed Trays': 'seed tray starter kit' },
  },
};

const DEPT_WORDS: Record<string, { adj: string[]; material: string[] }> = {
  Kitchen: { adj: ['nonstick', 'professional', 'induction-ready', 'dishwasher-safe', 'classic', 'ergonomic'], material: ['stainless steel', 'cast iron', 'carbon steel', 'ceramic', 'aluminum'] },
  Outdoors: { adj: ['ultralight', 'waterproof', 'compact', 'rugged', 'four-season', 'packable'], material: ['ripstop nylon', 'aluminum', 'carbon fiber', 'polyester', 'titanium'] },
  Electronics: { adj: ['wireless', 'bluetooth', 'noise-cancelling', 'fast-charging', 'portable', 'rgb'], material: ['aluminum', 'braided', 'matte black', 'white', 'graphite'] },
  Beauty: { adj: ['hydrating', 'fragrance-free', 'long-lasting', 'vegan', 'oil-free', 'volumizing'], material: ['hyaluronic acid', 'vitamin c', 'argan oil', 'shea butter', 'retinol'] },
  Garden: { adj: ['heavy-duty', 'adjustable', 'weatherproof', 'kink-free', 'lightweight', 'ergonomic'], material: ['steel', 'fiberglass', 'galvanized', 'cedar', 'recycled plastic'] },
};

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'ven', 'tor', 'sil', 'bra', 'zen', 'qua', 'nor', 'del', 'fin', 'gor', 'lux', 'pe', 'tri', 'on'];

function brandName(rng: Rng): string {
  const n = 2 + rng.int(2);
  let s = '';
  for (let i = 0; i < n; i++) s += SYLLABLES[rng.int(SYLLABLES.length)]!;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const pick = <T>(rng: Rng, arr: readonly T[]): T => arr[rng.int(arr.length)]!;

/** Generates the demo catalog as an ImportedDataset (same seed → same dataset). */
export function generateDemoCatalog(opts: DemoOptions = {}): ImportedDataset {
  const seed = opts.seed ?? 42;
  const nItems = opts.items ?? 3000;
  const nUsers = opts.users ?? 2000;
  const rng = new Rng(seed);

  const leaves: { dept: string; cat: string; leaf: string; nouns: string[] }[] = [];
  for (const [dept, cats] of Object.entries(TREE)) {
    for (const [cat, ls] of Object.entries(cats)) for (const [leaf, nouns] of Object.entries(ls)) leaves.push({ dept, cat, leaf, nouns: nouns.split(' ') });
  }
  const brands: Record<string, string[]> = {};
  for (const dept of Object.keys(TREE)) brands[dept] = Array.from({ length: 8 }, () => brandName(rng));

  // Items: leaves get uneven sizes (a Zipf-ish weight) like real catalogs.
  const leafWeight = leaves.map((_, i) => 1 / Math.sqrt(1 + ((i * 7) % leaves.length)));
  const wSum = leafWeight.reduce((a, b) => a + b, 0);
  const items: ImportedItem[] = [];
  const itemLeaf = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    let u = rng.next() * wSum;
    let li = 0;
    while (li < leaves.length - 1 && (u -= leafWeight[li]!) > 0) li++;
    const L = leaves[li]!;
    itemLeaf[i] = li;
    const words = DEPT_WORDS[L.dept]!;
    const brand = pick(rng, brands[L.dept]!);
    const noun = pick(rng, L.nouns);
    const parts = [brand, pick(rng, words.adj), rng.next() < 0.5 ? pick(rng, words.material) : '', noun];
    if (rng.next() < 0.4) parts.push(pick(rng, L.nouns));
    if (rng.next() < 0.6) parts.push(`${String.fromCharCode(65 + rng.int(26))}${String.fromCharCode(65 + rng.int(26))}-${100 + rng.int(900)}`);
    const title = parts
      .filter(Boolean)
      .join(' ')
      .replace(/\b\w/g, (c) => c.toUpperCase());
    items.push({
      extId: `D${String(i).padStart(5, '0')}`,
      title,
      text: `${title}. A ${pick(rng, words.adj)} ${noun} for everyday use.`,
      brand,
      categories: [L.dept, L.cat, L.leaf],
    });
  }

  // Index items by leaf and by category (level 2) for preference sampling; popularity ~ 1/rank inside a leaf.
  const byLeaf: number[][] = leaves.map(() => []);
  for (let i = 0; i < nItems; i++) byLeaf[itemLeaf[i]!]!.push(i);
  const catOf = leaves.map((l) => `${l.dept}>${l.cat}`);
  const cats = [...new Set(catOf)];
  const leavesOfCat = cats.map((c) => leaves.map((_, li) => li).filter((li) => catOf[li] === c && byLeaf[li]!.length > 0));
  const fromLeaf = (li: number): number => {
    const list = byLeaf[li]!;
    // Zipf-like pick: low ranks are popular.
    const r = Math.floor(list.length * Math.pow(rng.next(), 2));
    return list[r]!;
  };
  const fromCat = (ci: number): number => fromLeaf(pick(rng, leavesOfCat[ci]!));

  const queries: ImportedQuery[] = [];
  const q: number[] = [];
  const it: number[] = [];
  const pos: number[] = [];
  const split: number[] = [];
  const usable = cats.map((_, ci) => ci).filter((ci) => leavesOfCat[ci]!.length > 0);
  for (let u = 0; u < nUsers; u++) {
    queries.push({ extId: `U${String(u).padStart(5, '0')}`, kind: 'user', text: '', split: null });
    const favs = [pick(rng, usable)];
    if (rng.next() < 0.5) favs.push(pick(rng, usable));
    const len = 5 + Math.floor(-Math.log(1 - rng.next()) * 5);
    const seq: number[] = [];
    const seen = new Set<number>();
    let prev = -1;
    for (let tries = 0; seq.length < len && tries < len * 10; tries++) {
      const r = rng.next();
      let item: number;
      if (prev >= 0 && r < 0.45) item = fromLeaf(itemLeaf[prev]!);
      else if (r < 0.9) item = fromCat(pick(rng, favs));
      else item = rng.int(nItems);
      if (seen.has(item)) continue;
      seen.add(item);
      seq.push(item);
      prev = item;
    }
    seq.forEach((item, p) => {
      q.push(u);
      it.push(item);
      pos.push(p);
      split.push(p === seq.length - 1 ? SPLIT_CODE.test : p === seq.length - 2 ? SPLIT_CODE.valid : SPLIT_CODE.train);
    });
  }

  return {
    name: opts.name ?? 'demo catalog',
    format: 'demo',
    source: `generated demo catalog (seed ${seed}, ${nItems} items, ${nUsers} users)`,
    queryKind: 'user',
    items,
    queries,
    interactions: {
      query: Int32Array.from(q),
      item: Int32Array.from(it),
      pos: Int32Array.from(pos),
      ts: null,
      label: null,
      split: Uint8Array.from(split),
    },
    config: { seed, items: nItems, users: nUsers },
  };
}
