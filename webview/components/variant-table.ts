// The variants table of a variants output: one row per ALT with CHROM, POS, REF, ALT, the LLR on
// each strand and their mean, and the status; a header click sorts (again: the other way), the
// filter box and the scored / not scored choice narrow it, and a row click (or Enter on a focused
// row) selects it and tells the owner, who scrolls the track there. At most MAX_SHOWN_ROWS rows
// are in the page at a time, so thousands of variants stay quick; the count says how many match.
import { dropdown } from './toolkit';
import {
  visibleRows,
  type RowFilter,
  type RowOrder,
  type ScoredFilter,
  type VariantColumn,
  type VariantRowData,
} from './variant-rows';

export const MAX_SHOWN_ROWS = 500;

const COLUMNS: { key: VariantColumn; label: string; numeric: boolean }[] = [
  { key: 'chrom', label: 'CHROM', numeric: false },
  { key: 'pos', label: 'POS', numeric: true },
  { key: 'ref', label: 'REF', numeric: false },
  { key: 'alt', label: 'ALT', numeric: false },
  { key: 'llrForward', label: 'LLR fwd', numeric: true },
  { key: 'llrReverse', label: 'LLR rc', numeric: true },
  { key: 'llr', label: 'LLR mean', numeric: true },
  { key: 'status', label: 'status', numeric: false },
];
const SCORED_CHOICES: ScoredFilter[] = ['all', 'scored', 'not scored'];

const llrText = (v: number): string => (Number.isNaN(v) ? '–' : v.toFixed(3));

export interface VariantTableOptions {
  /** Called with the row (an index into the table's columns) the user picked. */
  onSelect(row: number): void;
}

export class VariantTableView {
  readonly element: HTMLDivElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headers = new Map<VariantColumn, HTMLTableCellElement>();
  private readonly count: HTMLSpanElement;
  private order: RowOrder = { column: 'llr', descending: false };
  private filter: RowFilter = { text: '', scored: 'all' };
  private selected: number | null = null;

  constructor(
    parent: HTMLElement,
    private readonly data: VariantRowData,
    private readonly options: VariantTableOptions,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'seqlab-variants';
    const controls = document.createElement('div');
    controls.className = 'seqlab-toolbar';
    const search = document.createElement('input');
    search.type = 'search';
    search.className = 'seqlab-filter';
    search.placeholder = 'filter: chromosome, position, allele, status';
    search.setAttribute('aria-label', 'filter the variants');
    search.addEventListener('input', () => this.setFilter({ ...this.filter, text: search.value }));
    this.count = document.createElement('span');
    this.count.className = 'seqlab-hint';
    controls.append(
      search,
      dropdown(SCORED_CHOICES, 0, (i) => this.setFilter({ ...this.filter, scored: SCORED_CHOICES[i] })),
      this.count,
    );
    const scroller = document.createElement('div');
    scroller.className = 'seqlab-variants-scroll';
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const c of COLUMNS) {
      const th = document.createElement('th');
      th.textContent = c.label;
      th.tabIndex = 0;
      th.dataset.column = c.key;
      if (c.numeric) th.classList.add('numeric');
      th.addEventListener('click', () => this.sortBy(c.key));
      th.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        this.sortBy(c.key);
      });
      head.append(th);
      this.headers.set(c.key, th);
    }
    this.body = table.createTBody();
    this.body.addEventListener('click', (e) => this.pickFrom(e.target));
    this.body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.pickFrom(e.target);
    });
    scroller.append(table);
    this.element.append(controls, scroller);
    parent.append(this.element);
    this.render();
  }

  /** Sorts by `column`; the same column again reverses the order. */
  sortBy(column: VariantColumn): void {
    this.order = { column, descending: this.order.column === column ? !this.order.descending : false };
    this.render();
  }

  setFilter(filter: RowFilter): void {
    this.filter = filter;
    this.render();
  }

  /** Marks `row` selected and tells the owner. */
  select(row: number): void {
    this.selected = row;
    for (const tr of this.body.rows) tr.classList.toggle('selected', Number(tr.dataset.row) === row);
    this.options.onSelect(row);
  }

  private pickFrom(target: EventTarget | null): void {
    const tr = (target as HTMLElement | null)?.closest('tr');
    if (tr?.dataset.row !== undefined) this.select(Number(tr.dataset.row));
  }

  private render(): void {
    const { table } = this.data;
    const rows = visibleRows(this.data, this.order, this.filter);
    for (const [key, th] of this.headers) {
      const sorted = key === this.order.column;
      th.setAttribute('aria-sort', sorted ? (this.order.descending ? 'descending' : 'ascending') : 'none');
      th.dataset.arrow = sorted ? (this.order.descending ? '▼' : '▲') : '';
    }
    const shown = rows.slice(0, MAX_SHOWN_ROWS);
    this.body.replaceChildren(
      ...shown.map((i) => {
        const tr = document.createElement('tr');
        tr.dataset.row = String(i);
        tr.tabIndex = 0;
        if (i === this.selected) tr.classList.add('selected');
        const cells = [
          table.chroms[table.chrom[i]],
          table.pos[i] ? table.pos[i].toLocaleString('en-US') : '–',
          table.ref[i],
          table.alt[i] || '.',
          llrText(this.data.llrForward[i]),
          llrText(this.data.llrReverse[i]),
          llrText(this.data.llr[i]),
          table.status[i].replace(/_/g, ' '),
        ];
        cells.forEach((text, k) => {
          const td = tr.insertCell();
          td.textContent = text;
          if (COLUMNS[k].numeric) td.className = 'numeric';
          // Long alleles are cut to a column's width (the whole allele on hover), so the LLRs stay in view.
          if (COLUMNS[k].key === 'ref' || COLUMNS[k].key === 'alt') {
            td.className = 'allele';
            td.title = text;
          }
          if (COLUMNS[k].key === 'llr' && this.data.llr[i] < 0) td.classList.add('negative');
        });
        return tr;
      }),
    );
    const total = table.line.length.toLocaleString('en-US');
    this.count.textContent =
      rows.length > MAX_SHOWN_ROWS
        ? `${MAX_SHOWN_ROWS} of ${rows.length.toLocaleString('en-US')} matching rows shown (of ${total}); filter or sort to see others`
        : `${rows.length.toLocaleString('en-US')} of ${total} rows`;
  }
}
