import { VERDICT_ALPHA } from "@/lib/engine/estimate/verdict";
import { benjaminiHochberg } from "@/lib/engine/lift/fdr";
import type { CampaignAnalysis, MultipleTesting } from "./types";
import { formatFixed } from "@/lib/format";

/** False discovery rate the dataset's flags are held to. */
const FDR_LEVEL = 0.1;

/**
 * Many campaigns at once: the flags (verdict better or worse, 5% in each direction), how many of them chance alone
 * explains, and which survive Benjamini-Hochberg at FDR_LEVEL on the verdicts' two-sided p-values. A campaign with
 * no p-value (poor fit) is not tested; one with too little history has p = 1 (tested, never flagged).
 * Chance alone: each judged campaign is flagged with probability at most 2 x VERDICT_ALPHA when nothing changed
 * (exactly that for a continuous law; less for counts, whose tails come in whole atoms), so judged x 0.1 is an upper
 * bound on the flags noise explains.
 * @example multipleTesting(campaigns).expectedByChance // 4 for 40 judged campaigns
 */
export function multipleTesting(campaigns: readonly CampaignAnalysis[]): MultipleTesting {
  const p = campaigns.map((c) => c.verdict.pValue);
  const bh = benjaminiHochberg(p, FDR_LEVEL);
  const flagged = campaigns.filter((c) => c.verdict.label === "better" || c.verdict.label === "worse").length;
  const expectedByChance = bh.tested * 2 * VERDICT_ALPHA;
  // A BH discovery is flagged as well (p <= q k / m <= 0.1 is a tail below 0.05): the survivors are flags.
  const survivors = campaigns.filter((c, i) => bh.rejected[i] && (c.verdict.label === "better" || c.verdict.label === "worse")).map((c) => c.campaign);
  const chance = expectedByChance < 1 ? formatFixed(expectedByChance, 1) : String(Math.round(expectedByChance));
  let text: string;
  if (flagged === 0) text = `No campaign is flagged; with ${bh.tested} judged, noise alone would flag about ${chance}.`;
  else {
    const kept = survivors.length === 0 ? "none of them survives" : `${survivors.length} of them ${survivors.length === 1 ? "survives" : "survive"}`;
    text = `${flagged} of ${bh.tested} judged campaigns ${flagged === 1 ? "is" : "are"} flagged; noise alone would flag about ${chance}. Held to a ${Math.round(FDR_LEVEL * 100)}% false discovery rate (Benjamini-Hochberg), ${kept}.`;
  }
  return { judged: bh.tested, flagged, expectedByChance, fdrLevel: FDR_LEVEL, survivors, threshold: bh.threshold, text };
}
