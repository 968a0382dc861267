import { Type } from 'typebox'

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Machine-readable error code' }),
      message: Type.String({ description: 'Human-readable message' }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { title: 'Error' },
)

/** The error responses every authenticated route can give, to spread into its `response` schema. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const
