import { MissingDataset } from "@/app/_components/missing-dataset";

/** The dataset (or campaign) in the address does not exist, or was deleted. */
export default function DatasetNotFound() {
  return <MissingDataset what="dataset or campaign" />;
}
