/**
 * Reference figures for four coins, quoted from the project's shared coin reference (reference.json beside the
 * Yahoo Finance price files in ../shared/data/coins): daily log returns of Yahoo Finance daily closes in USD,
 * BTC/ETH/USDT 2018-04-18 to 2023-04-17 (1826 days), USDC 2018-10-08 to 2023-04-17 (1653 days).
 * Conventions: sd with the n - 1 divisor, annualized volatility = sd x sqrt(365), skewness and excess kurtosis as
 * population moment ratios, type-7 quantiles, drawdown on the price. Histogram: counts of daily log returns in 120
 * bins of width 0.005 from -0.3, values outside [-0.3, 0.3) clipped into the end bins.
 * tests/unit/coins/reference.test.ts checks lib/engine/coins.ts reproduces them from the price files.
 */

/** One coin's reference figures (daily log returns). */
export interface CoinReference {
  symbol: "BTC" | "ETH" | "USDC" | "USDT";
  source: string;
  firstDate: string;
  lastDate: string;
  /** Prices. */
  days: number;
  /** Returns (days - 1). */
  returns: number;
  dailyMean: number;
  dailySd: number;
  annualizedVolatility: number;
  skewness: number;
  excessKurtosis: number;
  worstDay: number;
  bestDay: number;
  maxDrawdown: number;
  /** Type-7 quantiles of the daily log return keyed by String(level). */
  quantiles: Record<string, number>;
  histogram: { firstEdge: number; binWidth: number; counts: number[] };
}

/** BTC, ETH, USDC, USDT figures, as quoted (six significant figures or so, as published). */
export const COIN_REFERENCE: readonly CoinReference[] = [
  {
    symbol: "BTC",
    source: "Yahoo Finance daily closes, USD",
    firstDate: "2018-04-18",
    lastDate: "2023-04-17",
    days: 1826,
    returns: 1825,
    dailyMean: 0.00070305,
    dailySd: 0.03693272,
    annualizedVolatility: 0.705599,
    skewness: -1.1369,
    excessKurtosis: 16.0635,
    worstDay: -0.46473,
    bestDay: 0.171821,
    maxDrawdown: -0.766346,
    quantiles: {
      "0.001": -0.158262, "0.005": -0.120817, "0.01": -0.104958, "0.025": -0.073774, "0.05": -0.058849,
      "0.1": -0.036684, "0.25": -0.01452, "0.5": 0.000913, "0.75": 0.016512, "0.9": 0.039329,
      "0.95": 0.057127, "0.975": 0.078539, "0.99": 0.100382, "0.995": 0.112439, "0.999": 0.161285,
    },
    histogram: {
      firstEdge: -0.3,
      binWidth: 0.005,
      counts: [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2,
        1, 3, 1, 0, 0, 1, 3, 1, 5, 6, 2, 6, 3, 6, 3, 5, 12, 22, 16, 20, 19, 29, 25, 52, 56, 65, 78, 106, 152, 184,
        183, 141, 127, 89, 69, 73, 37, 45, 26, 33, 23, 7, 8, 10, 16, 7, 6, 5, 5, 10, 5, 3, 3, 2, 1, 0, 0, 1, 1, 0,
        0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ],
    },
  },
  {
    symbol: "ETH",
    source: "Yahoo Finance daily closes, USD",
    firstDate: "2018-04-18",
    lastDate: "2023-04-17",
    days: 1826,
    returns: 1825,
    dailyMean: 0.00075573,
    dailySd: 0.04881817,
    annualizedVolatility: 0.93267,
    skewness: -1.0874,
    excessKurtosis: 11.6506,
    worstDay: -0.550732,
    bestDay: 0.230695,
    maxDrawdown: -0.896696,
    quantiles: {
      "0.001": -0.228089, "0.005": -0.171227, "0.01": -0.143787, "0.025": -0.104198, "0.05": -0.074713,
      "0.1": -0.049733, "0.25": -0.020609, "0.5": 0.00081, "0.75": 0.025603, "0.9": 0.053539,
      "0.95": 0.075023, "0.975": 0.09366, "0.99": 0.125533, "0.995": 0.14467, "0.999": 0.182639,
    },
    histogram: {
      firstEdge: -0.3,
      binWidth: 0.005,
      counts: [
        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 2, 1, 2, 2, 1, 3, 0,
        2, 3, 3, 4, 2, 5, 3, 4, 3, 3, 6, 5, 7, 12, 13, 17, 22, 16, 18, 15, 34, 33, 42, 49, 51, 79, 88, 90, 127, 120,
        109, 116, 86, 94, 64, 63, 62, 53, 43, 40, 28, 29, 17, 22, 15, 10, 14, 10, 13, 8, 1, 8, 4, 3, 2, 5, 1, 1, 2, 1,
        1, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ],
    },
  },
  {
    symbol: "USDC",
    source: "Yahoo Finance daily closes, USD",
    firstDate: "2018-10-08",
    lastDate: "2023-04-17",
    days: 1653,
    returns: 1652,
    dailyMean: -1.55e-06,
    dailySd: 0.00368783,
    annualizedVolatility: 0.070456,
    skewness: 0.3433,
    excessKurtosis: 31.6366,
    worstDay: -0.037233,
    bestDay: 0.042439,
    maxDrawdown: -0.070788,
    quantiles: {
      "0.001": -0.028541, "0.005": -0.015194, "0.01": -0.00958, "0.025": -0.006473, "0.05": -0.004748,
      "0.1": -0.002988, "0.25": -0.000424, "0.5": 1.4e-05, "0.75": 0.000435, "0.9": 0.002577,
      "0.95": 0.004376, "0.975": 0.007176, "0.99": 0.010925, "0.995": 0.01443, "0.999": 0.029324,
    },
    histogram: {
      firstEdge: -0.3,
      binWidth: 0.005,
      counts: [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 5, 7, 60, 727,
        785, 36, 19, 4, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ],
    },
  },
  {
    symbol: "USDT",
    source: "Yahoo Finance daily closes, USD",
    firstDate: "2018-04-18",
    lastDate: "2023-04-17",
    days: 1826,
    returns: 1825,
    dailyMean: 1.45e-06,
    dailySd: 0.00357056,
    annualizedVolatility: 0.068215,
    skewness: 0.2887,
    excessKurtosis: 59.5294,
    worstDay: -0.05257,
    bestDay: 0.053393,
    maxDrawdown: -0.075302,
    quantiles: {
      "0.001": -0.019365, "0.005": -0.01346, "0.01": -0.010676, "0.025": -0.006298, "0.05": -0.004387,
      "0.1": -0.00268, "0.25": -0.000608, "0.5": -6e-06, "0.75": 0.000602, "0.9": 0.002649,
      "0.95": 0.004522, "0.975": 0.006665, "0.99": 0.010016, "0.995": 0.014022, "0.999": 0.02091,
    },
    histogram: {
      firstEdge: -0.3,
      binWidth: 0.005,
      counts: [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 4, 15, 56, 848,
        822, 57, 14, 5, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      ],
    },
  },
];
