import { MissingDataset } from "@/app/_components/missing-dataset";

/** The dataset a report is asked for does not exist, or was deleted. */
export default function ReportNotFound() {
  return <MissingDataset what="dataset to report on" />;
}
