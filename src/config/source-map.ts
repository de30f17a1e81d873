// Maps a key path in the parsed document back to a line and column in the file, so problems
// found on plain data (zod issues, env references) can point at the text the user wrote.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigPath } from './problems.js';

export interface SourcePosition {
  line: number;
  column: number;
}

export class SourceMap {
  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  positionOfOffset(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where the last key of `path` is written (the start of the item, for list indexes). A path
   * that goes past what the file contains, e.g. a missing key, points at its deepest existing
   * ancestor: the key of the map that should contain it.
   */
  positionOf(path: ConfigPath): SourcePosition | undefined {
    let node = this.resolve(this.document.contents);
    let offset = node?.range?.[0];
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
        node = this.resolve(pair.value as Node | null);
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = this.resolve(node.items[segment] as Node | null | undefined);
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : this.positionOfOffset(offset);
  }

  /** Follows `*anchor` references so paths through aliased content still resolve. */
  private resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.document) as Node | undefined) : node;
  }
}
