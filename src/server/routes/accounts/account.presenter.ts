import { z } from "zod";
import { type Account, SEGMENTS } from "../../../domain/customer.ts";

export const accountJson = z
  .object({
    id: z.string(),
    externalRef: z.string().nullable(),
    name: z.string(),
    accountManagerId: z.string().nullable(),
    csmId: z.string().nullable(),
    country: z.string().nullable(),
    timeZone: z
      .string()
      .nullable()
      .describe("IANA time zone in which customers' messages state times; null: UTC"),
    segment: z.enum(SEGMENTS),
    version: z.number().int().describe("bumped by every change; send it back as expectedVersion"),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Account" });

export function presentAccount(a: Account): z.infer<typeof accountJson> {
  return { ...a, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}
